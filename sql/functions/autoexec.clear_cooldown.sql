create or replace function autoexec.clear_cooldown(reason text) returns autoexec.engine_state
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Ends a running cooldown (admins only), with the reason in the audit trail; the waiting actions
-- resume at once (the engine_state trigger wakes the dispatcher). The failure streak starts again at 0.
declare
  v_state autoexec.engine_state;
  v_until timestamptz;
begin
  perform autoexec_private.require_reason(reason, 'to clear the cooldown');
  select cooldown_until into v_until from autoexec.engine_state for update;
  if v_until is null or v_until <= now() then
    raise exception 'there is no cooldown to clear%',
      coalesce(' (the last one ended at ' || autoexec_private.format_time(v_until) || ')', '')
      using errcode = 'AE005';
  end if;
  update autoexec.engine_state set cooldown_until = null, cooldown_started_at = null, consecutive_failures = 0
  returning * into v_state;
  perform autoexec_private.audit('cooldown.cleared', 'circuit_breaker', null,
    jsonb_build_object('cooldownUntil', v_until), jsonb_build_object('cooldownUntil', null), reason);
  perform autoexec_private.notify('cooldown_cleared', 'info',
    'Cooldown ended early by ' || autoexec_private.current_actor() || ': ' || reason,
    jsonb_build_object('by', autoexec_private.current_actor(), 'reason', reason, 'wasUntil', v_until));
  return v_state;
end;
$$;
comment on function autoexec.clear_cooldown(text) is
  'Ends the running cooldown now (admins only); a reason is required and recorded in the audit trail.';
revoke all on function autoexec.clear_cooldown(text) from public;
grant execute on function autoexec.clear_cooldown(text) to autoexec_admin;
