create or replace function autoexec_private.finish_rollback(
  p_execution_log_id bigint, p_actor text, p_reason text, p_forced boolean, p_conflicts jsonb
) returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The end of a rollback (src/engine/rollback.ts), in the transaction in which start_rollback locked the
-- execution and its handler undid the content change: the mirror of record_execution.
declare
  l autoexec.execution_logs;
begin
  update autoexec.execution_logs set
    rolled_back_at = now(), rolled_back_by = p_actor, rollback_reason = p_reason, rollback_forced = p_forced
  where id = p_execution_log_id
  returning * into l;
  update autoexec.actions set
    status = 'ROLLED_BACK',
    status_reason = 'rolled back by ' || p_actor || ': ' || p_reason
  where id = l.action_id;
  perform autoexec_private.audit('execution.rolled_back', 'action', l.action_id::text,
    jsonb_build_object('status', 'EXECUTED'),
    jsonb_strip_nulls(jsonb_build_object('status', 'ROLLED_BACK', 'executionLogId', l.id, 'forced', p_forced,
      'conflicts', p_conflicts)),
    p_reason, p_actor);
end;
$$;
comment on function autoexec_private.finish_rollback(bigint, text, text, boolean, jsonb) is
  'Marks an execution rolled back (when, by whom, why) and its action ROLLED_BACK, with an audit event.';
