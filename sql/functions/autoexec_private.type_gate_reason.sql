create or replace function autoexec_private.type_gate_reason(t autoexec.action_types) returns text
language sql stable
set search_path = pg_catalog
as $$
  -- Why no action of this type may run now: the type is disabled, or its own breaker is open. Or null.
  select case
    when t.mode = 'disabled' then 'action type ' || t.type || ' is disabled'
    when b.breaker_open then 'circuit breaker for ' || t.type || ' open since '
      || autoexec_private.format_time(b.breaker_opened_at) || ' (' || b.breaker_reason || '); an admin must reset it'
  end
  from (select) one
  left join autoexec.type_breakers b on b.type = t.type;
$$;
comment on function autoexec_private.type_gate_reason(autoexec.action_types) is
  'Why an action type cannot run now (disabled, or its breaker open), or null.';
