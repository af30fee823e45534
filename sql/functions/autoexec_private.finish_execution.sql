create or replace function autoexec_private.finish_execution(
  p_action_id bigint,
  p_mode text,
  p_executed_by text,
  p_claim_slot boolean,
  p_output jsonb,
  p_rollback_data jsonb,
  p_duration_ms integer
) returns table (execution_log_id bigint, allowed boolean, reason text, retry_at timestamptz)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The close of a successful handler run, in one round trip: for a live execution claim a rate-limit
-- slot (unless p_claim_slot is false: dry runs and forced executions), then write the execution log
-- and update the action. When the limits refuse, nothing is written and the caller defers.
declare
  -- Typed variables, not a RECORD: see start_execution.
  v_allowed boolean;
  v_reason text;
  v_retry_at timestamptz;
  v_executed_at timestamptz := clock_timestamp();
begin
  if p_claim_slot then
    select c.allowed, c.executed_at, c.reason, c.retry_at into v_allowed, v_executed_at, v_reason, v_retry_at
      from autoexec_private.claim_execution_slot(p_action_id, p_executed_by = 'auto') c;
    if not v_allowed then
      return query select null::bigint, false, v_reason, v_retry_at;
      return;
    end if;
  end if;
  return query select autoexec_private.record_execution(p_action_id, p_mode, p_executed_by, v_executed_at, p_output,
    p_rollback_data, p_duration_ms), true, null::text, null::timestamptz;
end;
$$;
comment on function autoexec_private.finish_execution(bigint, text, text, boolean, jsonb, jsonb, integer) is
  'Claims a rate-limit slot (live executions) and records a successful execution, or says why not now.';
