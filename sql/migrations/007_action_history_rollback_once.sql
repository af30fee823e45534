-- A rollback appeared twice in autoexec.action_history, at the same instant: once from the execution log
-- (rolled_back) and once from its audit event (execution.rolled_back). The log is the record of what
-- happened, so the audit branch leaves that event out (it stays in autoexec.audit_events, with the
-- conflicts a forced rollback overrode).
create or replace view autoexec.action_history as
select a.id as action_id, a.created_at as at, 'proposed' as event, a.proposed_by as actor,
  jsonb_build_object('type', a.type, 'tier', a.execution_tier, 'confidence', a.confidence,
    'estimatedRevenueImpact', a.estimated_revenue_impact, 'actionData', a.action_data) as details
from autoexec.actions a
union all
select e.subject_id::bigint, e.occurred_at, e.action, e.actor,
  jsonb_strip_nulls(jsonb_build_object('note', e.note, 'old', e.old_values, 'new', e.new_values))
from autoexec.audit_events e
where e.subject_type = 'action' and e.action <> 'execution.rolled_back'
union all
select l.action_id, l.executed_at,
  case when l.success then 'executed' else 'execution_failed' end || case when l.mode = 'dry_run' then ' (dry run)' else '' end,
  l.executed_by,
  jsonb_strip_nulls(jsonb_build_object('executionLogId', l.id, 'attempt', l.attempt, 'output', l.output_data,
    'error', l.error_message, 'durationMs', l.duration_ms))
from autoexec.execution_logs l
union all
select l.action_id, l.rolled_back_at, 'rolled_back', l.rolled_back_by,
  jsonb_strip_nulls(jsonb_build_object('executionLogId', l.id, 'reason', l.rollback_reason, 'forced', l.rollback_forced))
from autoexec.execution_logs l
where l.rolled_back_at is not null;
