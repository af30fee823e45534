-- PostgreSQL parses JSON recursively and stops at max_stack_depth (default 2MB, about 15,000 levels of
-- nesting) with "stack depth limit exceeded", before any check of ours runs. With 6MB the parser
-- follows anything that fits in action_data's 64 KiB, so that the INSERT can refuse deep nesting with a
-- message that names it. max_stack_depth may only be set by a superuser and must stay below the
-- server's stack size (ulimit -s, usually 8MB): a migration run without that right leaves it to a DBA
-- (docs/operations.md).
do $$
begin
  if (select rolsuper from pg_roles where rolname = current_user) then
    alter role autoexec_agent set max_stack_depth = '6MB';
  else
    raise notice 'not a superuser: ask a DBA to run "alter role autoexec_agent set max_stack_depth = ''6MB''"';
  end if;
exception when invalid_parameter_value then
  raise notice 'max_stack_depth 6MB is above this server''s stack size; the agent keeps the default';
end
$$;
