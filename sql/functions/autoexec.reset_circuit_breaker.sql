create or replace function autoexec.reset_circuit_breaker(reason text, type text default null)
returns autoexec.engine_state
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Closes the global breaker, or with `type` that action type's own breaker (admins only), and records
-- who did it and why. The scope is then half-open: its next settings.breaker_probes executions run as
-- probes, one at a time, and a failing probe re-opens it at once. The engine_state / type_breakers
-- trigger wakes the dispatcher, which resumes the waiting actions.
declare
  v_state autoexec.engine_state;
  v_was_open boolean;
  v_probes integer;
  v_actor text := autoexec_private.current_actor();
begin
  perform autoexec_private.require_reason(reason, 'to reset the circuit breaker');
  select breaker_probes into v_probes from autoexec.settings;
  if reset_circuit_breaker.type is not null then
    select b.breaker_open into v_was_open from autoexec.type_breakers b
    where b.type = reset_circuit_breaker.type for update;
    if not found then
      raise exception 'action type "%" has no circuit breaker (Tier 3 types never run)', reset_circuit_breaker.type
        using errcode = 'AE004';
    end if;
    update autoexec.type_breakers b set breaker_open = false, breaker_reset_at = now(), breaker_reset_by = v_actor,
      breaker_reset_reason = reason, probes_left = case when v_was_open then v_probes else 0 end
    where b.type = reset_circuit_breaker.type;
  else
    select breaker_open into v_was_open from autoexec.engine_state for update;
    update autoexec.engine_state set
      breaker_open = false,
      breaker_reset_at = now(),
      breaker_reset_by = v_actor,
      breaker_reset_reason = reason,
      consecutive_failures = 0,
      probes_left = case when v_was_open then v_probes else 0 end;
  end if;
  select * into v_state from autoexec.engine_state;
  perform autoexec_private.notify('circuit_breaker_reset', 'info',
    'Circuit breaker' || coalesce(' for ' || reset_circuit_breaker.type, '') || ' reset by ' || v_actor || ': ' || reason,
    jsonb_strip_nulls(jsonb_build_object('by', v_actor, 'reason', reason, 'type', reset_circuit_breaker.type)));
  perform autoexec_private.audit('breaker.reset', 'circuit_breaker', reset_circuit_breaker.type,
    jsonb_build_object('open', v_was_open), jsonb_build_object('open', false, 'probes', v_probes), reason);
  return v_state;
end;
$$;
comment on function autoexec.reset_circuit_breaker(text, text) is
  'Closes the circuit breaker, or one action type''s (admins only), records who did it and why, and resumes waiting actions; the next executions run as probes.';
revoke all on function autoexec.reset_circuit_breaker(text, text) from public;
grant execute on function autoexec.reset_circuit_breaker(text, text) to autoexec_admin;
