create or replace function autoexec_private.evaluate_circuit_breaker() returns boolean
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Opens the breaker when more than breaker_failure_rate of the last breaker_window executions since the
-- last reset failed, once at least breaker_min_executions ran. Returns whether it opened it now.
-- An execution here is an action's live execution, its retries included: it failed when its latest
-- attempt failed. Dry runs do not count (they change nothing live). Only the last breaker_window ×
-- max_attempts log rows are read, so the cost does not grow with the log (recent_failures).
-- Security definer: no login may write autoexec.engine_state itself (sql/migrations/020).
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_total integer;
  v_failed integer;
  v_reason text;
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state for update;
  if e.breaker_open then
    return false;
  end if;
  select r.total, r.failed into v_total, v_failed
  from autoexec_private.recent_failures(e.breaker_reset_at, null, s.breaker_window, s.max_attempts) r;
  if v_total < s.breaker_min_executions or v_failed::numeric / v_total <= s.breaker_failure_rate then
    return false;
  end if;
  v_reason := v_failed || ' of the last ' || v_total || ' executions failed ('
    || round(100.0 * v_failed / v_total) || '% > ' || round(100 * s.breaker_failure_rate) || '%)';
  update autoexec.engine_state set breaker_open = true, breaker_opened_at = now(), breaker_reason = v_reason,
    probes_left = 0;
  perform autoexec_private.audit('breaker.opened', 'circuit_breaker', null, jsonb_build_object('open', false),
    jsonb_build_object('open', true), v_reason, 'engine');
  perform autoexec_private.notify('circuit_breaker_opened', 'critical',
    'Circuit breaker opened: ' || v_reason || '. All auto-execution is paused until an admin resets it.',
    jsonb_build_object('failed', v_failed, 'total', v_total));
  return true;
end;
$$;
comment on function autoexec_private.evaluate_circuit_breaker() is
  'Opens the circuit breaker, with an alert, when too many recent executions failed.';
