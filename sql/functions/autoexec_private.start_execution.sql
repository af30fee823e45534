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
  v record;
begin
  perform set_config('autoexec.engine_executing', 'on', true);
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.id is null then
    return query select null::text, null::text, null::smallint, null::jsonb, 'skip', null::text, 'no such action',
      null::timestamptz;
    return;
  end if;
  select * into v from autoexec_private.guard(p_action_id, p_force);
  if v.decision <> 'run' then
    perform autoexec_private.record_decision(p_action_id, v.decision, v.reason, v.retry_at, v.final_status);
  end if;
  return query select a.type, a.status, a.execution_tier, a.action_data, v.decision, v.mode, v.reason,
    v.retry_at;
end;
$$;
comment on function autoexec_private.start_execution(bigint, boolean) is
  'Locks an action for execution and applies the guards; records a "not now" or "never" decision.';
