create or replace function autoexec_private.tg_actions__enqueue_execution() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  -- security definer: the agent may not touch graphile_worker itself.
  perform autoexec_private.enqueue_execution(new.id);
  return null;
end;
$$;
comment on function autoexec_private.tg_actions__enqueue_execution() is
  'Enqueues a new Tier 1 action''s execution in the transaction that inserts it.';

create or replace trigger _500_enqueue_execution after insert on autoexec.actions
  for each row when (new.execution_tier = 1)
  execute function autoexec_private.tg_actions__enqueue_execution();
