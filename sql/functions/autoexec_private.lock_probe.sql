create or replace function autoexec_private.lock_probe(p_type text) returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Half-open after a reset: probes run one at a time. A live execution of a scope still probing locks
-- that breaker's row until it commits (the lock is the transaction's). Security definer: locking a row
-- needs UPDATE on its table, which no login has on engine state.
begin
  perform from autoexec.engine_state es where es.probes_left > 0 for update;
  perform from autoexec.type_breakers tb where tb.type = p_type and tb.probes_left > 0 for update;
end;
$$;
comment on function autoexec_private.lock_probe(text) is
  'Serialises the probes after a breaker reset: locks the breaker rows still probing until commit.';
