create or replace function autoexec_private.type_gate_reason(t autoexec.action_types) returns text
language plpgsql stable
as $$
-- PL/pgSQL without a SET clause, as autoexec_private.active_freeze (every execution asks).
declare
  b autoexec.type_breakers;
begin
  if t.mode = 'disabled' then
    return 'action type ' || t.type || ' is disabled';
  end if;
  select * into b from autoexec.type_breakers tb where tb.type = t.type;
  if b.breaker_open then
    return 'circuit breaker for ' || t.type || ' open since ' || autoexec_private.format_time(b.breaker_opened_at)
      || ' (' || b.breaker_reason || '); an admin must reset it';
  end if;
  return null;
end;
$$;
comment on function autoexec_private.type_gate_reason(autoexec.action_types) is
  'Why an action type cannot run now (disabled, or its breaker open), or null.';
