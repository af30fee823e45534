-- The current definition (migrations 004, 007 and 061 are its history). A bulk decision is one audit
-- event (subject_type 'action_batch', new_values.actionIds listing the actions: decide_actions); each
-- listed action's timeline shows it as the single decision event it would have had, with the batch
-- size. A rollback comes from the execution log only: its audit event (execution.rolled_back) would
-- show it twice.
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
select listed.id::bigint, e.occurred_at, 'action.' || split_part(e.action, '.', 2), e.actor,
  jsonb_strip_nulls(jsonb_build_object('note', e.note, 'batch', jsonb_build_object('auditEventId', e.id,
    'count', e.new_values -> 'count')))
from autoexec.audit_events e
cross join lateral jsonb_array_elements_text(e.new_values -> 'actionIds') listed(id)
where e.subject_type = 'action_batch'
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
comment on view autoexec.action_history is
  'Everything that happened to an action, in one query: select * from autoexec.action_history where action_id = 42 order by at.';
comment on column autoexec.action_history.action_id is 'The action this event belongs to.';
comment on column autoexec.action_history.at is 'When it happened.';
comment on column autoexec.action_history.event is
  'What happened: proposed, an execution outcome (executed or execution_failed, with " (dry run)" for a dry run; rolled_back) or an audit action (action.approved, action.rejected, …).';
comment on column autoexec.action_history.actor is 'Who did it: the agent, ''auto'' (the engine), or an admin''s JWT subject.';
comment on column autoexec.action_history.details is 'The event''s particulars (execution log id, reason, error, changed values).';
grant select on autoexec.action_history to autoexec_viewer, autoexec_auditor;
