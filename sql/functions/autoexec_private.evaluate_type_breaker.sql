create or replace function autoexec_private.evaluate_type_breaker(p_type text) returns boolean
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Opens the breaker of one action type when more than type_breaker_failure_rate of its last
-- type_breaker_window actions executed live since its last reset failed, once at least
-- type_breaker_min_executions ran: that type pauses alone, with an alert. Returns whether it opened.
declare
  s autoexec.settings;
  b autoexec.type_breakers;
  v_total integer;
  v_failed integer;
  v_reason text;
begin
  select * into s from autoexec.settings;
  select * into b from autoexec.type_breakers where type = p_type for update;
  if b.type is null or b.breaker_open then
    return false;
  end if;
  select r.total, r.failed into v_total, v_failed
  from autoexec_private.recent_failures(b.breaker_reset_at, p_type, s.type_breaker_window, s.max_attempts) r;
  if v_total < s.type_breaker_min_executions or v_failed::numeric / v_total <= s.type_breaker_failure_rate then
    return false;
  end if;
  v_reason := v_failed || ' of the last ' || v_total || ' ' || p_type || ' executions failed ('
    || round(100.0 * v_failed / v_total) || '% > ' || round(100 * s.type_breaker_failure_rate) || '%)';
  perform autoexec_private.open_type_breaker(p_type, v_reason);
  return true;
end;
$$;
comment on function autoexec_private.evaluate_type_breaker(text) is
  'Opens the breaker of one action type, with an alert, when too many of its recent executions failed.';
