drop function if exists autoexec_private.start_execution(bigint, boolean);
create function autoexec_private.start_execution(p_action_id bigint, p_force boolean)
returns table (
  type text, status text, execution_tier smallint, action_data jsonb,
  decision text, mode text, reason text, retry_at timestamptz, mod_id bigint, mod jsonb, wait_kind text
)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The opening of an execution, in one round trip: mark the transaction as the engine's (see
-- content.tg_mods__track_changes), lock the action and the mod it is about, ask the guards and, for a
-- live run, claim a rate-limit slot ("no_slot" when the limits refuse). A "not now" or "never" from
-- the guards is recorded already (the caller then only commits). Every execution takes its locks in
-- this order (action, mod, the engine's slot lock, then whatever its handler locks), so executions cannot deadlock
-- each other.
declare
  a autoexec.actions;
  s autoexec.settings;
  e autoexec.engine_state;
  t autoexec.action_types;
  m content.mods;
  -- The verdict in typed variables: fields of a RECORD variable would make PL/pgSQL plan the
  -- statements that read them again on every call (about 0.4 ms each time).
  v_decision text;
  v_mode text;
  v_reason text;
  v_retry_at timestamptz;
  v_final_status text;
  v_allowed boolean;
  v_mod_id bigint;
  v_wait_kind text;
begin
  perform set_config('autoexec.engine_executing', 'on', true);
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.id is null then
    return query select null::text, null::text, null::smallint, null::jsonb, 'skip', null::text, 'no such action',
      null::timestamptz, null::bigint, null::jsonb, null::text;
    return;
  end if;
  -- Each row is read once here and handed to the guards and the rate limits.
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  select * into t from autoexec.action_types at where at.type = a.type;
  -- The mod the action is about: the recent-edit guard needs it, and the handler reads it first thing
  -- (it gets it from here, saving a round trip). "No key update" keeps every other writer out but lets
  -- other executions insert rows that reference it (internal link suggestions, collection entries):
  -- with "for update" two of them doing so to each other's mods would deadlock.
  -- mod_id is the canonical id the INSERT read from action_data.modId, in whatever spelling.
  v_mod_id := a.mod_id;
  if v_mod_id is not null then
    select * into m from content.mods cm where cm.id = v_mod_id for no key update;
  end if;

  select g.decision, g.mode, g.reason, g.retry_at, g.final_status, g.wait_kind
    into v_decision, v_mode, v_reason, v_retry_at, v_final_status, v_wait_kind
    from autoexec_private.guard(a, s, e, t, m.externally_modified_at, p_force) g;
  -- Half-open after a reset: the next executions of the reset scope run as probes, one at a time (the
  -- breaker's row stays locked until this one commits; record_execution counts it, record_failure
  -- re-opens the breaker). Forced executions and dry runs are no probes.
  if v_decision = 'run' and v_mode = 'live' and not p_force and autoexec_private.probing(a.type) then
    perform autoexec_private.lock_probe(a.type);
  end if;
  -- Dry runs and an admin's forced executions use up no slot.
  if v_decision = 'run' and v_mode = 'live' and not p_force then
    select c.allowed, c.reason, c.retry_at, c.wait_kind into v_allowed, v_reason, v_retry_at, v_wait_kind
      from autoexec_private.claim_execution_slot(a, s, t, a.status <> 'APPROVED') c;
    -- Not recorded here: the executor first checks the action's data, so that a malformed action ends
    -- INVALID now instead of waiting for a slot it could never use.
    if not v_allowed then
      v_decision := 'no_slot';
    end if;
  end if;
  if v_decision not in ('run', 'no_slot') then
    perform autoexec_private.record_decision(p_action_id, v_decision, v_reason, v_retry_at, v_final_status,
      v_wait_kind);
  end if;
  return query select a.type, a.status, a.execution_tier, a.action_data, v_decision, v_mode, v_reason, v_retry_at,
    v_mod_id, case when m.id is not null then to_jsonb(m) end, v_wait_kind;
end;
$$;
comment on function autoexec_private.start_execution(bigint, boolean) is
  'Locks an action (and its mod) for execution, applies the guards and the rate limits; records a "not now" or "never" decision.';
