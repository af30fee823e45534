create or replace function autoexec_private.record_failure(
  p_action_id bigint, p_mode text, p_executed_by text, p_error text, p_duration_ms integer
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
  v_streak integer;
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
    input_data, success, error_message, duration_ms
  ) values (
    a.id, a.type, a.execution_tier, a.rate_limit_key, p_executed_by, p_mode, v_attempts,
    a.action_data, false, p_error, p_duration_ms
  );

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

  if v_final then
    perform autoexec_private.notify('action_failed', 'warning',
      'Action ' || a.id || ' (' || a.type || ') failed ' || v_attempts || ' times: ' || p_error,
      jsonb_build_object('actionId', a.id, 'type', a.type, 'error', p_error));
  end if;

  if p_mode <> 'live' then
    return query select v_final, v_attempts;
    return;
  end if;
  if v_attempts = 1 then
    update autoexec.engine_state set consecutive_failures = consecutive_failures + 1
      returning consecutive_failures into v_streak;
    if v_streak >= s.failures_before_cooldown then
      update autoexec.engine_state set consecutive_failures = 0, cooldown_until = now() + s.cooldown,
        cooldown_started_at = now();
      perform autoexec_private.notify('cooldown_started', 'warning',
        v_streak || ' executions failed in a row; execution pauses until '
          || autoexec_private.format_time(now() + s.cooldown),
        jsonb_build_object('failuresInARow', v_streak, 'until', now() + s.cooldown));
    end if;
  end if;

  -- A failing probe re-opens its breaker at once, without waiting for a new burst of failures.
  if exists (select from autoexec.engine_state where probes_left > 0) then
    update autoexec.engine_state set breaker_open = true, breaker_opened_at = now(), probes_left = 0,
      breaker_reason = 'a probe after the reset failed (action ' || a.id || ': ' || left(p_error, 200) || ')';
    perform autoexec_private.audit('breaker.opened', 'circuit_breaker', null, jsonb_build_object('open', false),
      jsonb_build_object('open', true), 'a probe after the reset failed', 'engine');
    perform autoexec_private.notify('circuit_breaker_opened', 'critical',
      'Circuit breaker re-opened: a probe after the reset failed (action ' || a.id || ': ' || left(p_error, 200)
        || '). All auto-execution is paused until an admin resets it.',
      jsonb_build_object('actionId', a.id, 'probe', true));
  end if;
  if exists (select from autoexec.type_breakers where type = a.type and probes_left > 0) then
    perform autoexec_private.open_type_breaker(a.type,
      'a probe after the reset failed (action ' || a.id || ': ' || left(p_error, 200) || ')');
  end if;
  perform autoexec_private.evaluate_circuit_breaker();
  perform autoexec_private.evaluate_type_breaker(a.type);
  return query select v_final, v_attempts;
end;
$$;
comment on function autoexec_private.record_failure(bigint, text, text, text, integer) is
  'Records a failed execution attempt and its consequences (retry or FAILED, cooldown, circuit breaker).';
