create or replace function autoexec_private.start_execution(p_action_id bigint, p_force boolean)
returns table (
  type text, status text, execution_tier smallint, action_data jsonb,
  decision text, mode text, reason text, retry_at timestamptz
)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The opening of an execution, in one round trip: mark the transaction as the engine's (see
-- content.tg_mods__track_changes), lock the action, ask the guards, and when they say "not now" or
-- "never", record that already (the caller then only commits).
declare
  a autoexec.actions;
  -- The guard's verdict in typed variables: fields of a RECORD variable would make PL/pgSQL plan the
  -- statements that read them again on every call (about 0.4 ms each time).
  v_decision text;
  v_mode text;
  v_reason text;
  v_retry_at timestamptz;
  v_final_status text;
begin
  perform set_config('autoexec.engine_executing', 'on', true);
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.id is null then
    return query select null::text, null::text, null::smallint, null::jsonb, 'skip', null::text, 'no such action',
      null::timestamptz;
    return;
  end if;
  select g.decision, g.mode, g.reason, g.retry_at, g.final_status
    into v_decision, v_mode, v_reason, v_retry_at, v_final_status
    from autoexec_private.guard(p_action_id, p_force) g;
  if v_decision <> 'run' then
    perform autoexec_private.record_decision(p_action_id, v_decision, v_reason, v_retry_at, v_final_status);
  end if;
  return query select a.type, a.status, a.execution_tier, a.action_data, v_decision, v_mode, v_reason, v_retry_at;
end;
$$;
comment on function autoexec_private.start_execution(bigint, boolean) is
  'Locks an action for execution and applies the guards; records a "not now" or "never" decision.';
