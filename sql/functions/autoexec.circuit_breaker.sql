create or replace function autoexec.circuit_breaker() returns autoexec.engine_state
language sql stable
set search_path = pg_catalog
as $$
  select * from autoexec.engine_state;
$$;
comment on function autoexec.circuit_breaker() is
  'Circuit breaker and cooldown state: whether auto-execution is paused, since when, why, and the last reset.';
revoke all on function autoexec.circuit_breaker() from public;
grant execute on function autoexec.circuit_breaker() to autoexec_viewer;
