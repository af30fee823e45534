create or replace function autoexec_private.record_failure(
  p_action_id bigint, p_mode text, p_executed_by text, p_error text, p_duration_ms integer,
  p_force_reason text default null
) returns table (final boolean, attempts integer)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Called in its own short transaction after a handler threw and its changes were rolled back:
-- logs the failed attempt, ends the action after max_attempts, and feeds cooldown and circuit breaker.
-- They judge the engine, not one action: only live executions count (dry runs are reported apart, in
-- the stats), and an action's retries count once (its first failure extends the streak, its later
-- attempts do not; the breaker counts actions, see evaluate_circuit_breaker).
declare
  a autoexec.actions;
  s autoexec.settings;
  v_attempts integer;
  v_final boolean;
  v_log_id bigint;
  v_was text;
begin
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.status not in ('PENDING', 'APPROVED') then
    return query select true, a.execution_attempts; -- finished meanwhile (e.g. by another delivery)
    return;
  end if;
  select * into s from autoexec.settings;
  v_was := a.wait_kind;
  v_attempts := a.execution_attempts + 1;
  v_final := v_attempts >= s.max_attempts;

  insert into autoexec.execution_logs (
    action_id, action_type, execution_tier, rate_limit_key, executed_by, mode, attempt,
    input_data, success, error_message, duration_ms, force_reason
  ) values (
    a.id, a.type, a.execution_tier, a.rate_limit_key, p_executed_by, p_mode, v_attempts,
    a.action_data, false, p_error, p_duration_ms, p_force_reason
  ) returning id into v_log_id;

  update autoexec.actions set
    status = case when v_final then 'FAILED' else status end,
    execution_attempts = v_attempts,
    last_attempt_at = now(),
    execution_result = jsonb_build_object('success', false, 'error', p_error),
    status_reason = case
      when v_final then 'failed ' || v_attempts || ' times; last error: ' || p_error
      else 'attempt ' || v_attempts || ' of ' || s.max_attempts || ' failed (' || p_error || '); retrying'
    end,
    deferred_until = null,
    wait_kind = null
  where id = a.id;
  -- A dispatched action that failed used no slot: the next in line gets it (this one retries in its job).
  if v_was = 'dispatched' then
    perform autoexec_private.wake_dispatcher();
  end if;

  if p_force_reason is not null then
    perform autoexec_private.record_forced_execution(v_log_id, a.status);
  end if;
  if v_final then
    perform autoexec_private.notify('action_failed', 'warning',
      'Action ' || a.id || ' (' || a.type || ') failed ' || v_attempts || ' times: ' || p_error,
      jsonb_build_object('actionId', a.id, 'type', a.type, 'error', p_error));
  end if;

  if p_mode <> 'live' then
    return query select v_final, v_attempts;
    return;
  end if;
  -- An action's retries count once in the failure streak.
  if v_attempts = 1 then
    perform autoexec_private.note_execution_outcome(false);
  end if;
  -- A failing probe re-opens its breaker at once, without waiting for a new burst of failures.
  perform autoexec_private.note_probe_outcome(a.id, a.type, p_error);
  perform autoexec_private.evaluate_circuit_breaker();
  perform autoexec_private.evaluate_type_breaker(a.type);
  return query select v_final, v_attempts;
end;
$$;
comment on function autoexec_private.record_failure(bigint, text, text, text, integer, text) is
  'Records a failed execution attempt and its consequences (retry or FAILED, cooldown, circuit breaker).';
