create or replace function autoexec_private.gate_reason(s autoexec.settings, e autoexec.engine_state) returns text
language plpgsql stable
as $$
-- PL/pgSQL without a SET clause, as autoexec_private.active_freeze (every execution asks).
declare
  f autoexec.freeze_windows;
begin
  if not s.enabled then
    return 'auto-execution is switched off (settings.enabled)';
  end if;
  if e.breaker_open then
    return 'circuit breaker open since ' || autoexec_private.format_time(e.breaker_opened_at)
      || ' (' || e.breaker_reason || '); an admin must reset it';
  end if;
  f := autoexec_private.active_freeze();
  if f.id is not null then
    return 'automatic execution is frozen until ' || autoexec_private.format_time(f.ends_at) || ' (' || f.reason || ')';
  end if;
  if e.cooldown_until > now() then
    return 'cooling down after ' || s.failures_before_cooldown || ' failures in a row, until '
      || autoexec_private.format_time(e.cooldown_until);
  end if;
  return null;
end;
$$;
comment on function autoexec_private.gate_reason(autoexec.settings, autoexec.engine_state) is
  'Why nothing executes now (switch off, breaker open, a freeze window, cooling down), or null.';
