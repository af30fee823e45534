create or replace function autoexec.reset_circuit_breaker(reason text) returns autoexec.engine_state
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  v_state autoexec.engine_state;
  v_was_open boolean;
begin
  if coalesce(btrim(reason), '') = '' then
    raise exception 'a reason is required to reset the circuit breaker' using errcode = '22023';
  end if;
  select breaker_open into v_was_open from autoexec.engine_state for update;
  update autoexec.engine_state set
    breaker_open = false,
    breaker_reset_at = now(),
    breaker_reset_by = autoexec_private.current_actor(),
    breaker_reset_reason = reason,
    consecutive_failures = 0
  returning * into v_state;
  perform autoexec_private.notify('circuit_breaker_reset', 'info',
    'Circuit breaker reset by ' || v_state.breaker_reset_by || ': ' || reason,
    jsonb_build_object('by', v_state.breaker_reset_by, 'reason', reason));
  perform autoexec_private.audit('breaker.reset', 'circuit_breaker', null, jsonb_build_object('open', v_was_open),
    jsonb_build_object('open', false), reason);
  -- The engine_state trigger wakes the dispatcher, which resumes the waiting actions.
  return v_state;
end;
$$;
comment on function autoexec.reset_circuit_breaker(text) is
  'Closes the circuit breaker (admins only), records who did it and why, and resumes waiting actions.';
revoke all on function autoexec.reset_circuit_breaker(text) from public;
grant execute on function autoexec.reset_circuit_breaker(text) to autoexec_admin;
