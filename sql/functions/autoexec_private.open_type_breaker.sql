create or replace function autoexec_private.open_type_breaker(p_type text, p_reason text) returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
begin
  update autoexec.type_breakers set breaker_open = true, breaker_opened_at = now(), breaker_reason = p_reason,
    probes_left = 0
  where type = p_type;
  perform autoexec_private.audit('breaker.opened', 'circuit_breaker', p_type, jsonb_build_object('open', false),
    jsonb_build_object('open', true), p_reason, 'engine');
  perform autoexec_private.notify('type_breaker_opened', 'warning',
    'Circuit breaker for ' || p_type || ' opened: ' || p_reason || '. ' || p_type
      || ' actions are paused until an admin resets it; other types go on.',
    jsonb_build_object('type', p_type, 'reason', p_reason));
end;
$$;
comment on function autoexec_private.open_type_breaker(text, text) is
  'Opens one action type''s circuit breaker, audited, with an alert.';
