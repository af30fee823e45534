create or replace function autoexec_private.execution_log_json(l autoexec.execution_logs) returns jsonb
language sql stable
set search_path = pg_catalog
as $$
  select jsonb_build_object(
    'id', l.id,
    'actionId', l.action_id,
    'actionType', l.action_type,
    'executionTier', l.execution_tier,
    'rateLimitKey', l.rate_limit_key,
    'executedAt', l.executed_at,
    'executedBy', l.executed_by,
    'mode', l.mode,
    'attempt', l.attempt,
    'inputData', l.input_data,
    'outputData', l.output_data,
    'success', l.success,
    'errorMessage', l.error_message,
    'durationMs', l.duration_ms,
    'rollbackData', l.rollback_data,
    'rollbackDataPurgedAt', l.rollback_data_purged_at,
    'rolledBackAt', l.rolled_back_at,
    'rolledBackBy', l.rolled_back_by,
    'rollbackReason', l.rollback_reason,
    'rollbackForced', l.rollback_forced,
    'forced', l.force_reason is not null,
    'forceReason', l.force_reason
  );
$$;
comment on function autoexec_private.execution_log_json(autoexec.execution_logs) is
  'An execution log as the REST API returns it (PRD-18''s ExecutionLog, camelCase).';
