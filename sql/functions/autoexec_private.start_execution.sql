drop function if exists autoexec_private.start_execution(bigint, boolean);
create function autoexec_private.start_execution(p_action_id bigint, p_force boolean)
returns table (
  type text, status text, execution_tier smallint, action_data jsonb,
  decision text, mode text, reason text, retry_at timestamptz, mod_id bigint, mod jsonb
)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The opening of an execution, in one round trip: mark the transaction as the engine's (see
-- content.tg_mods__track_changes), lock the action, ask the guards; then, for a run, lock the mod the
-- action is about and (live, not forced) claim a rate-limit slot. A "not now" or "never" is recorded
-- already (the caller then only commits). Every execution takes its locks in this order (action, mod,
-- slot lock, then whatever its handler locks), so executions cannot deadlock each other.
declare
  a autoexec.actions;
  -- The guard's verdict in typed variables: fields of a RECORD variable would make PL/pgSQL plan the
  -- statements that read them again on every call (about 0.4 ms each time).
  v_decision text;
  v_mode text;
  v_reason text;
  v_retry_at timestamptz;
  v_final_status text;
  v_allowed boolean;
  v_mod_id bigint;
  v_mod jsonb;
begin
  perform set_config('autoexec.engine_executing', 'on', true);
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.id is null then
    return query select null::text, null::text, null::smallint, null::jsonb, 'skip', null::text, 'no such action',
      null::timestamptz, null::bigint, null::jsonb;
    return;
  end if;
  select g.decision, g.mode, g.reason, g.retry_at, g.final_status
    into v_decision, v_mode, v_reason, v_retry_at, v_final_status
    from autoexec_private.guard(p_action_id, p_force) g;

  if v_decision = 'run' then
    -- The handler reads the mod first thing: read and lock it here, saving it a round trip.
    if jsonb_typeof(a.action_data -> 'modId') = 'number' and (a.action_data ->> 'modId') ~ '^\d{1,18}$' then
      v_mod_id := (a.action_data ->> 'modId')::bigint;
      select to_jsonb(m) into v_mod from content.mods m where m.id = v_mod_id for update;
    end if;
    -- Dry runs and an admin's forced executions use up no slot.
    if v_mode = 'live' and not p_force then
      select c.allowed, c.reason, c.retry_at into v_allowed, v_reason, v_retry_at
        from autoexec_private.claim_execution_slot(p_action_id, a.status <> 'APPROVED') c;
      if not v_allowed then
        v_decision := case when v_retry_at is null then 'wait' else 'defer' end;
        v_mode := null;
        v_mod_id := null;
        v_mod := null;
      end if;
    end if;
  end if;
  if v_decision <> 'run' then
    perform autoexec_private.record_decision(p_action_id, v_decision, v_reason, v_retry_at, v_final_status);
  end if;
  return query select a.type, a.status, a.execution_tier, a.action_data, v_decision, v_mode, v_reason, v_retry_at,
    v_mod_id, v_mod;
end;
$$;
comment on function autoexec_private.start_execution(bigint, boolean) is
  'Locks an action (and its mod) for execution, applies the guards and the rate limits; records a "not now" or "never" decision.';
