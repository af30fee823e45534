create or replace function autoexec_private.waiting_signature() returns jsonb
language sql stable
set search_path = pg_catalog
as $$
  -- Everything the verdicts and reasons of waiting actions depend on besides the actions themselves.
  -- The dispatcher compares it with the one it evaluated against: any difference (an admin's change, or
  -- a cooldown that ran out) re-evaluates every waiting action, once.
  select jsonb_build_object(
    'settings', to_jsonb(s) - 'updated_at',
    'gate', autoexec_private.gate_reason(s, e),
    'types', (select jsonb_object_agg(t.type, jsonb_build_array(t.mode, t.daily_cap, b.breaker_open, b.breaker_opened_at))
              from autoexec.action_types t left join autoexec.type_breakers b on b.type = t.type))
  from autoexec.settings s cross join autoexec.engine_state e;
$$;
comment on function autoexec_private.waiting_signature() is
  'The settings, engine state and action types the waiting actions'' reasons depend on.';
