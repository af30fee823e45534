create or replace function autoexec_private.probing(p_type text) returns boolean
language plpgsql stable
as $$
-- PL/pgSQL without a SET clause, as autoexec_private.active_freeze (every execution asks).
begin
  return exists (select from autoexec.engine_state es where es.probes_left > 0)
    or exists (select from autoexec.type_breakers tb where tb.type = p_type and tb.probes_left > 0);
end;
$$;
comment on function autoexec_private.probing(text) is
  'Whether an execution of this type would be a probe after a breaker reset (global or its type''s).';
