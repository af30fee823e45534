-- A comment on every table, view and column that had none, so `\d+` and the GraphQL schema's docs
-- explain themselves (test/comments.test.ts keeps it so for everything added later).
comment on table autoexec_private.migrations is
  'The files of sql/migrations applied to this database (src/db/migrate.ts); a checksum per file refuses edited ones.';
comment on column autoexec_private.migrations.name is 'The migration''s file name, e.g. 003_engine.sql.';
comment on column autoexec_private.migrations.checksum is 'SHA-256 of the file as applied; a different file on disk is refused.';
comment on column autoexec_private.migrations.applied_at is 'When it was applied.';

comment on column autoexec.action_history.action_id is 'The action this event belongs to.';
comment on column autoexec.action_history.at is 'When it happened.';
comment on column autoexec.action_history.event is
  'What happened: proposed, an execution outcome (executed, failed, dry_run, rolled_back) or an audit action (approved, rejected, …).';
comment on column autoexec.action_history.actor is 'Who did it: the agent, ''auto'' (the engine), or an admin''s JWT subject.';
comment on column autoexec.action_history.details is 'The event''s particulars (execution log id, reason, error, changed values).';

comment on column autoexec.action_types.type is 'The action type''s name, e.g. ADD_AFFILIATE_LINK; what actions.type refers to.';
comment on column autoexec.action_types.description is 'What an action of this type does, in words.';

comment on column autoexec.actions.id is 'The action''s id.';
comment on column autoexec.actions.type is 'Its action type (autoexec.action_types), which decides its tier.';
comment on column autoexec.actions.executed_at is 'When its successful execution (live or dry run) happened; null until then.';
comment on column autoexec.actions.execution_attempts is 'Execution attempts so far, failed ones included.';
comment on column autoexec.actions.last_attempt_at is 'When the last execution attempt happened.';
comment on column autoexec.actions.created_at is 'When the agent proposed it (the start of Tier 1''s time to execute).';
comment on column autoexec.actions.updated_at is 'When the row last changed.';

comment on column autoexec.affiliate_hosts.host is 'An allowed host name, exactly (no subdomains implied).';
comment on column autoexec.affiliate_hosts.path_pattern is 'A regular expression the URL''s path must match.';
comment on column autoexec.affiliate_hosts.required_params is 'Query parameters the URL must carry, e.g. ["tag"] for an affiliate id.';
comment on column autoexec.affiliate_hosts.description is 'Whose links these are, in words.';

comment on column autoexec.audit_events.id is 'The event''s id (increasing).';
comment on column autoexec.audit_events.occurred_at is 'When it happened.';
comment on column autoexec.audit_events.actor is 'Who did it: an admin''s JWT subject, a database login, or ''auto''.';
comment on column autoexec.audit_events.subject_id is 'The id of what it concerns (an action, an execution log, a setting row), as text.';
comment on column autoexec.audit_events.old_values is 'The values before the change, where there was one.';
comment on column autoexec.audit_events.new_values is 'The values after the change.';
comment on column autoexec.audit_events.note is 'The reason given (a rejection''s or reset''s reason, a forced execution''s).';

comment on column autoexec.daily_executions.day is 'The UTC day.';
comment on column autoexec.daily_executions.action_type is 'The action type.';
comment on column autoexec.daily_executions.execution_tier is 'The tier the action was executed at.';
comment on column autoexec.daily_executions.mode is 'live or dry_run.';
comment on column autoexec.daily_executions.outcome is 'success or failure.';
comment on column autoexec.daily_executions.executions is 'Execution attempts that day.';
comment on column autoexec.daily_executions.avg_duration_ms is 'Their average handler time, in milliseconds.';

comment on column autoexec.engine_state.id is 'Always true: the table has exactly one row.';
comment on column autoexec.engine_state.breaker_open is 'While true, nothing executes until an admin resets the breaker.';
comment on column autoexec.engine_state.breaker_opened_at is 'When the breaker last opened.';
comment on column autoexec.engine_state.breaker_reason is 'Why it opened (the failure rate it saw).';
comment on column autoexec.engine_state.breaker_reset_by is 'Who last reset it.';
comment on column autoexec.engine_state.breaker_reset_reason is 'The reason given at the last reset.';
comment on column autoexec.engine_state.consecutive_failures is 'Live executions that failed in a row; a success sets it back to 0.';
comment on column autoexec.engine_state.cooldown_until is 'Until when execution pauses after consecutive failures; null or past: no cooldown.';

comment on column autoexec.execution_logs.id is 'The execution''s id (what a rollback names).';
comment on column autoexec.execution_logs.action_id is 'The action executed.';
comment on column autoexec.execution_logs.action_type is 'The action''s type, copied so the log reads on its own.';
comment on column autoexec.execution_logs.execution_tier is 'The tier the action had when executed.';
comment on column autoexec.execution_logs.rate_limit_key is 'The key the per-key limit counted this execution under (e.g. the mod), if any.';
comment on column autoexec.execution_logs.executed_at is 'When the attempt happened.';
comment on column autoexec.execution_logs.input_data is 'The action_data the handler ran with.';
comment on column autoexec.execution_logs.success is 'Whether the attempt succeeded.';
comment on column autoexec.execution_logs.error_message is 'Why it failed; null on success.';
comment on column autoexec.execution_logs.rolled_back_at is 'When it was rolled back; null if never.';
comment on column autoexec.execution_logs.rolled_back_by is 'Who rolled it back.';

comment on column autoexec.notifications.id is 'The notification''s id.';
comment on column autoexec.notifications.kind is 'What it is about: circuit_breaker_opened, cooldown_started, action_failed, … (docs/operations.md).';
comment on column autoexec.notifications.severity is 'critical, warning or info.';
comment on column autoexec.notifications.message is 'The notice, in words.';
comment on column autoexec.notifications.payload is 'Its particulars (ids, counts, times).';
comment on column autoexec.notifications.created_at is 'When it was raised.';
comment on column autoexec.notifications.read_at is 'When an admin marked it read; null while unread.';

comment on column autoexec.settings.id is 'Always true: the table has exactly one row.';
comment on column autoexec.settings.rate_limit_key_window is 'The window of the per-key limit (live Tier 1 executions per rate_limit_key).';
comment on column autoexec.settings.updated_at is 'When the settings last changed.';

comment on column autoexec_private.worker_heartbeats.worker_id is 'graphile-worker''s id of the worker pool.';
comment on column autoexec_private.worker_heartbeats.hostname is 'The machine it runs on.';
comment on column autoexec_private.worker_heartbeats.pid is 'Its process id there.';
comment on column autoexec_private.worker_heartbeats.started_at is 'When it started.';
comment on column autoexec_private.worker_heartbeats.seen_at is 'Its last heartbeat (every 10 s; older than 30 s: not running).';

comment on column content.ad_slots.id is 'The slot''s id.';
comment on column content.ad_slots.mod_id is 'The mod page it is on.';
comment on column content.ad_slots.position is 'Where on the page, a slug such as sidebar (one slot per position per mod).';
comment on column content.ad_slots.format is 'The ad format, a slug such as banner.';
comment on column content.ad_slots.action_id is 'The action that added it.';
comment on column content.ad_slots.created_at is 'When it was added.';

comment on column content.collection_mods.collection_id is 'The collection.';
comment on column content.collection_mods.mod_id is 'The mod in it.';
comment on column content.collection_mods.added_at is 'When it was added.';
comment on column content.collection_mods.added_by is 'Who added it (a database login, or the engine''s).';

comment on column content.collections.id is 'The collection''s id.';
comment on column content.collections.slug is 'Its URL path segment (unique).';
comment on column content.collections.title is 'Its page title.';
comment on column content.collections.description is 'Its introduction text.';
comment on column content.collections.created_at is 'When it was created.';
comment on column content.collections.updated_at is 'When it last changed.';

comment on column content.internal_link_suggestions.id is 'The suggestion''s id.';
comment on column content.internal_link_suggestions.source_mod_id is 'The page the link would be placed on.';
comment on column content.internal_link_suggestions.target_mod_id is 'The page it would link to.';
comment on column content.internal_link_suggestions.score is 'How relevant the target is (higher: more).';
comment on column content.internal_link_suggestions.status is 'suggested, placed (by an editor) or dismissed.';
comment on column content.internal_link_suggestions.created_at is 'When it was suggested.';

comment on column content.mods.id is 'The mod''s id (what actions'' modId refers to).';
comment on column content.mods.slug is 'Its URL path segment (unique).';
comment on column content.mods.title is 'Its page title.';
comment on column content.mods.body is 'Its page text.';
comment on column content.mods.meta_description is 'Its meta description (search result snippet).';
comment on column content.mods.created_at is 'When the page was created.';

comment on column autoexec_private.audit_chain.position is 'The link''s place in the chain: 1, 2, 3, … with no gap.';
comment on column autoexec_private.audit_chain.event_id is 'The audit event (autoexec.audit_events.id) this link seals.';
comment on column autoexec_private.audit_chain.hash is 'SHA-256 of the event, its position and previous_hash.';
comment on column autoexec_private.audit_chain_lock.id is 'Always true: the table has exactly one row, the one appenders lock.';
