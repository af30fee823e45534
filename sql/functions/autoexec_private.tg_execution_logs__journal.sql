create or replace function autoexec_private.tg_execution_logs__journal() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  -- One appended row per change and nothing else: the execution's transaction waits for nobody here
  -- (autoexec_private.fold_rollups does the counting later).
  insert into autoexec_private.rollup_journal (kind, subject_id)
  values (case when tg_op = 'INSERT' then 'executed' else 'rolled_back' end, new.id);
  return null;
end;
$$;
comment on function autoexec_private.tg_execution_logs__journal() is
  'Journals a new execution log or a recorded rollback for the rollups.';

create or replace trigger _300_journal_insert after insert on autoexec.execution_logs
  for each row execute function autoexec_private.tg_execution_logs__journal();
-- Purging rollback data changes no figure, so only the rollback itself is journalled.
create or replace trigger _300_journal_rollback after update on autoexec.execution_logs
  for each row when (old.rolled_back_at is null and new.rolled_back_at is not null)
  execute function autoexec_private.tg_execution_logs__journal();
