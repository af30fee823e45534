-- The admin queue for thousands of actions (issue 14, part 4) and the review-time metrics (part 3):
-- indexes that let autoexec.search_actions and autoexec_private.review_time_metrics read a page or a
-- range instead of the whole table.

-- Search by mod: the handlers keep the mod in action_data.modId.
create index actions_mod_id_idx on autoexec.actions ((action_data ->> 'modId'), id);
-- Search by rate-limit key (exact, or a prefix such as 'mod:').
create index actions_rate_limit_key_idx on autoexec.actions (rate_limit_key text_pattern_ops, id)
  where rate_limit_key is not null;
-- The queue's sort orders; "value" is the expected gain, confidence × estimated impact.
create index actions_value_idx on autoexec.actions ((confidence * estimated_revenue_impact), id);
create index actions_confidence_idx on autoexec.actions (confidence, id);
create index actions_impact_idx on autoexec.actions (estimated_revenue_impact, id);
-- The same orders within one status (the queue is mostly looked at as "pending" or "failed").
create index actions_status_id_idx on autoexec.actions (status, id);
create index actions_status_value_idx on autoexec.actions (status, (confidence * estimated_revenue_impact), id);
-- Audit trail filters (actor, kind) and the review-time metrics (decisions in a range).
create index audit_events_actor_idx on autoexec.audit_events (actor, occurred_at);
create index audit_events_action_idx on autoexec.audit_events (action, occurred_at);
comment on column autoexec.audit_events.subject_type is
  'action, action_batch (one decision on many actions: new_values.actionIds lists them), execution_log, settings, '
  'action_type or circuit_breaker.';
-- Pending (or failed) actions by confidence or by impact.
create index actions_status_confidence_idx on autoexec.actions (status, confidence, id);
create index actions_status_impact_idx on autoexec.actions (status, estimated_revenue_impact, id);
-- The history page's "failed" filter: its capped count reads this instead of scanning for failures.
create index execution_logs_failed_idx on autoexec.execution_logs (id) where not success;
