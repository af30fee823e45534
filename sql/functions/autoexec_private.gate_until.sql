create or replace function autoexec_private.gate_until(s autoexec.settings, e autoexec.engine_state) returns timestamptz
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path): it runs for
  -- every execution, and a SQL function that is not inlined is planned again on every call.
  -- When what holds every automatic execution (gate_reason) ends by itself: a freeze window's end or a
  -- cooldown's, whichever is later. Null when nothing holds it, or only a person can lift it (the
  -- switch, the breaker).
  select case when s.enabled and not coalesce(e.breaker_open, false) then
    nullif(greatest(coalesce((autoexec_private.active_freeze()).ends_at, '-infinity'),
                    case when e.cooldown_until > now() then e.cooldown_until else '-infinity' end), '-infinity')
  end;
$$;
comment on function autoexec_private.gate_until(autoexec.settings, autoexec.engine_state) is
  'When the freeze window or cooldown that holds every automatic execution ends, or null.';
