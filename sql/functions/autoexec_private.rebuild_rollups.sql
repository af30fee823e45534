create or replace function autoexec_private.rebuild_rollups() returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Recomputes every rollup from the raw tables: after a bulk load that bypassed the triggers
-- (session_replication_role = replica), or if check_rollups() ever disagreed. Writers of the logs,
-- the audit events and the actions wait until it commits; readers do not. It journals everything and
-- folds it, so the rollups come out of the one code path that maintains them.
begin
  lock table autoexec.execution_logs, autoexec.audit_events, autoexec.actions in share mode;
  perform pg_advisory_xact_lock(hashtext('autoexec_private.fold_rollups'));
  truncate autoexec_private.rollup_journal, autoexec_private.action_count_journal,
    autoexec_private.execution_rollups, autoexec_private.histogram_rollups, autoexec_private.action_counts;
  insert into autoexec_private.rollup_journal (kind, subject_id)
  select 'executed', id from autoexec.execution_logs
  union all
  select 'rolled_back', id from autoexec.execution_logs where rolled_back_at is not null
  union all
  select 'decided', id from autoexec.audit_events where action = any(autoexec_private.decision_actions());
  insert into autoexec_private.action_count_journal (status, execution_tier, delta)
  select status, execution_tier, count(*) from autoexec.actions group by 1, 2;
  loop
    exit when autoexec_private.fold_rollups(1000000) < 1000000;
  end loop;
  -- Empty now, but full of dead rows the readers would scan until a vacuum: writers still wait.
  truncate autoexec_private.rollup_journal, autoexec_private.action_count_journal;
  update autoexec_private.rollup_state set built_at = now();
end;
$$;
comment on function autoexec_private.rebuild_rollups() is
  'Recomputes the rollups from the execution log, the audit events and the actions (after a bulk load or a repair).';

-- A database that has none yet (the first npm run migrate after migration 080) gets them here, in
-- the transaction that creates the journal's triggers: the lock above keeps writers out until both
-- are in place, so no change is missed or counted twice.
select autoexec_private.rebuild_rollups() from autoexec_private.rollup_state where built_at is null;
