create or replace function autoexec_private.record_forced_execution(p_execution_log_id bigint, p_previous_status text)
returns text
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- The accountability of an admin's forced attempt, from its log (executed_by: the admin, force_reason:
-- why), in the transaction that wrote the log. A successful live run of a Tier 2 action nobody had
-- approved records the admin as its approver (forcing it was the approval); every attempt gets an
-- audit event that says who forced it, why and what came of it (action.force_executed, or
-- action.force_failed with the error). Security definer: the executor may not write the review
-- columns. Returns the action's approver, if any.
declare
  l autoexec.execution_logs;
  a autoexec.actions;
begin
  select * into l from autoexec.execution_logs where id = p_execution_log_id;
  if l.force_reason is null then
    raise exception 'execution log % is not a forced execution', p_execution_log_id using errcode = 'AE001';
  end if;
  update autoexec.actions set
    reviewed_by = l.executed_by,
    reviewed_at = now(),
    review_note = 'forced: ' || l.force_reason
  where id = l.action_id and execution_tier = 2 and reviewed_by is null and l.mode = 'live' and l.success
  returning * into a;
  if a.id is null then
    select * into a from autoexec.actions where id = l.action_id;
  end if;
  perform autoexec_private.audit(
    case when l.success then 'action.force_executed' else 'action.force_failed' end, 'action', a.id::text,
    jsonb_build_object('status', p_previous_status),
    jsonb_strip_nulls(jsonb_build_object('status', a.status, 'mode', l.mode, 'executionLogId', l.id,
      'error', l.error_message,
      'approvedBy', case when a.execution_tier = 2 and l.mode = 'live' and l.success then a.reviewed_by end)),
    l.force_reason, l.executed_by);
  return a.reviewed_by;
end;
$$;
comment on function autoexec_private.record_forced_execution(bigint, text) is
  'Audits an admin''s forced attempt (who, why, outcome) and records a forced Tier 2''s approver.';
