-- Replaced by the statement-level trigger below (one job per statement's batch, not per row).
drop trigger if exists _500_enqueue_execution on autoexec.actions;
drop function if exists autoexec_private.tg_actions__enqueue_execution();

create or replace function autoexec_private.tg_actions__enqueue_executions() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  -- security definer: the agent may not touch graphile_worker itself. Actions that wait from the start
  -- (tg_actions__classify) get no job; if any joined the line, the dispatcher decides who goes first.
  perform autoexec_private.enqueue_executions(array(
    select id from inserted where execution_tier = 1 and wait_kind is null order by id
  ));
  if exists (select from inserted where wait_kind = 'line') then
    perform autoexec_private.wake_dispatcher();
  end if;
  return null;
end;
$$;
comment on function autoexec_private.tg_actions__enqueue_executions() is
  'Enqueues the execution of the new Tier 1 actions that do not wait, in the transaction that inserts them.';

create or replace trigger _500_enqueue_executions after insert on autoexec.actions
  referencing new table as inserted
  for each statement
  execute function autoexec_private.tg_actions__enqueue_executions();
