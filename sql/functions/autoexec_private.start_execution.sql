create or replace function autoexec_private.start_execution(p_action_id bigint, p_force boolean, p_actor text default null)
returns table (
  decision text, not_now text, reason text, retry_at timestamptz,
  type text, status text, action_data jsonb, mode text, executed_by text, mod_id bigint, mod jsonb
)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The opening of an execution, in one round trip: mark the transaction as the engine's (see
-- content.tg_mods__track_changes), lock the action and the mod it is about, ask the guards and, for a
-- live run, claim a rate-limit slot ("no_slot" when the limits refuse). Every "not now" and "never" is
-- recorded here (record_decision), the rate limits' too; not_now is the decision recorded, as the
-- executor reports it. For a run (and a no_slot, whose data the executor still checks) it returns what
-- the handler needs and how the execution is logged: mode and executed_by (p_actor for a forced run).
-- Every execution takes its locks in this order (action, mod, the engine's slot lock, then whatever its
-- handler locks), so executions cannot deadlock each other.
declare
  a autoexec.actions;
  s autoexec.settings;
  e autoexec.engine_state;
  t autoexec.action_types;
  m content.mods;
  -- The verdict in typed variables: fields of a RECORD variable would make PL/pgSQL plan the
  -- statements that read them again on every call (about 0.4 ms each time).
  v_decision text;
  v_not_now text;
  v_mode text;
  v_executed_by text;
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
    return query select 'skip', 'skip', 'no such action', null::timestamptz, null::text, null::text, null::jsonb,
      null::text, null::text, null::bigint, null::jsonb;
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
  -- Who the log names: the admin who forced it, an approval, or the engine on its own.
  v_executed_by := case when p_force then coalesce(p_actor, 'admin') when a.status = 'APPROVED' then 'approved'
    else 'auto' end;
  -- Half-open after a reset: the next executions of the reset scope run as probes, one at a time (the
  -- breaker's row stays locked until this one commits; record_execution counts it, record_failure
  -- re-opens the breaker). Forced executions and dry runs are no probes, and use up no slot.
  if v_decision = 'run' and v_mode = 'live' and not p_force then
    if autoexec_private.probing(a.type) then
      perform autoexec_private.lock_probe(a.type);
    end if;
    select c.allowed, c.reason, c.retry_at, c.wait_kind into v_allowed, v_reason, v_retry_at, v_wait_kind
      from autoexec_private.claim_execution_slot(a, s, t, v_executed_by = 'auto') c;
    if not v_allowed then
      -- Recorded now, committed by the executor once it has checked the action's data: a malformed
      -- action ends INVALID instead (record_invalid), not waiting for a slot it could never use.
      v_decision := 'no_slot';
      v_not_now := case when v_retry_at is null then 'wait' else 'defer' end;
      v_reason := coalesce(v_reason, 'no slot');
      perform autoexec_private.record_decision(p_action_id, v_not_now, v_reason, v_retry_at, null,
        coalesce(v_wait_kind, 'line'));
    end if;
  elsif v_decision <> 'run' then
    v_not_now := v_decision;
    perform autoexec_private.record_decision(p_action_id, v_decision, v_reason, v_retry_at, v_final_status,
      v_wait_kind);
  end if;
  if v_decision in ('run', 'no_slot') then
    return query select v_decision, v_not_now, v_reason, v_retry_at, a.type, a.status, a.action_data,
      v_mode, v_executed_by, v_mod_id, case when m.id is not null then to_jsonb(m) end;
  else
    return query select v_decision, v_not_now, v_reason, v_retry_at, a.type, a.status, null::jsonb, null::text,
      null::text, null::bigint, null::jsonb;
  end if;
end;
$$;
comment on function autoexec_private.start_execution(bigint, boolean, text) is
  'Locks an action (and its mod) for execution, applies the guards and the rate limits, records every "not now" or "never", and says how a run is logged (mode, executed_by).';
