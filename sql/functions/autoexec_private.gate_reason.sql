create or replace function autoexec_private.gate_reason(s autoexec.settings, e autoexec.engine_state) returns text
language sql stable
set search_path = pg_catalog
as $$
  -- Why no automatic execution may start now, whatever the action: the switch, the breaker, a freeze
  -- window, a cooldown.
  -- Null when none of them holds. One wording for the guard, the waiting line and the insert trigger.
  select case
    when not s.enabled then 'auto-execution is switched off (settings.enabled)'
    when e.breaker_open then 'circuit breaker open since ' || autoexec_private.format_time(e.breaker_opened_at)
      || ' (' || e.breaker_reason || '); an admin must reset it'
    when f.id is not null then 'automatic execution is frozen until ' || autoexec_private.format_time(f.ends_at)
      || ' (' || f.reason || ')'
    when e.cooldown_until > now() then 'cooling down after ' || s.failures_before_cooldown
      || ' failures in a row, until ' || autoexec_private.format_time(e.cooldown_until)
  end
  from (select) one
  left join lateral autoexec_private.active_freeze() f on f.id is not null;
$$;
comment on function autoexec_private.gate_reason(autoexec.settings, autoexec.engine_state) is
  'Why nothing executes now (switch off, breaker open, a freeze window, cooling down), or null.';
