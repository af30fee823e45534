create or replace function autoexec_private.tg_actions__journal_count() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  -- Appends, never updates a shared counter: executions changing statuses at once do not queue here.
  -- An update moves one action from one count to another: both rows in one statement.
  if tg_op = 'UPDATE' then
    insert into autoexec_private.action_count_journal (status, execution_tier, delta)
    values (old.status, old.execution_tier, -1), (new.status, new.execution_tier, 1);
  elsif tg_op = 'DELETE' then
    insert into autoexec_private.action_count_journal (status, execution_tier, delta)
    values (old.status, old.execution_tier, -1);
  else
    insert into autoexec_private.action_count_journal (status, execution_tier, delta)
    values (new.status, new.execution_tier, 1);
  end if;
  return null;
end;
$$;
comment on function autoexec_private.tg_actions__journal_count() is
  'Journals a change to the number of actions per status and tier (for /metrics).';

create or replace trigger _300_journal_count_insert_delete after insert or delete on autoexec.actions
  for each row execute function autoexec_private.tg_actions__journal_count();
-- Every update, not "of status": a BEFORE trigger may change the status of an update that does not name it.
create or replace trigger _300_journal_count_update after update on autoexec.actions
  for each row when ((old.status, old.execution_tier) is distinct from (new.status, new.execution_tier))
  execute function autoexec_private.tg_actions__journal_count();

