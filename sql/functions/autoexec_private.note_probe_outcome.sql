create or replace function autoexec_private.note_probe_outcome(p_action_id bigint, p_type text, p_error text)
returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Half-open after a breaker reset: a live execution of the reset scope is a probe. A success (p_error
-- null) counts one down; a failure re-opens the breaker (global, or the type's) at once. Security
-- definer: no login may write autoexec.engine_state or autoexec.type_breakers itself.
declare
  v_detail text := 'a probe after the reset failed (action ' || p_action_id || ': ' || left(p_error, 200) || ')';
begin
  if p_error is null then
    update autoexec.engine_state set probes_left = probes_left - 1 where probes_left > 0;
    update autoexec.type_breakers set probes_left = probes_left - 1 where type = p_type and probes_left > 0;
    return;
  end if;
  if exists (select from autoexec.engine_state where probes_left > 0) then
    update autoexec.engine_state set breaker_open = true, breaker_opened_at = now(), probes_left = 0,
      breaker_reason = v_detail;
    perform autoexec_private.audit('breaker.opened', 'circuit_breaker', null, jsonb_build_object('open', false),
      jsonb_build_object('open', true), v_detail, 'engine');
    perform autoexec_private.notify('circuit_breaker_opened', 'critical',
      'Circuit breaker re-opened: ' || v_detail || '. All auto-execution is paused until an admin resets it.',
      jsonb_build_object('actionId', p_action_id, 'probe', true));
  end if;
  if exists (select from autoexec.type_breakers where type = p_type and probes_left > 0) then
    perform autoexec_private.open_type_breaker(p_type, v_detail);
  end if;
end;
$$;
comment on function autoexec_private.note_probe_outcome(bigint, text, text) is
  'Counts a probe after a breaker reset, or re-opens the breaker when the probe failed.';
