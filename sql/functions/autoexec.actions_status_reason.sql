create or replace function autoexec.actions_status_reason(a autoexec.actions) returns text
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- GraphQL Action.statusReason, and for SQL `select autoexec.actions_status_reason(a) from
-- autoexec.actions a`: why the action waits, worded with the settings, engine state and action type in
-- force now, or why it ended. The column status_reason holds what the engine wrote when the action's
-- wait or status last changed (re-evaluation after a change rewrites only the actions whose wait_kind
-- changes, so a waiting action's column may quote limits that have changed since); this function
-- never does. An action waiting for its own time ('until': a recent edit, its key's or type's limit)
-- keeps its written reason while nothing else holds it; a dispatched or finished one too.
declare
  s autoexec.settings;
  e autoexec.engine_state;
  t autoexec.action_types;
  v_gated boolean;
  v_dry boolean;
  v_kind text;
begin
  if a.wait_kind is null or a.wait_kind = 'dispatched' or a.status not in ('PENDING', 'APPROVED') then
    return a.status_reason;
  end if;
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  select * into t from autoexec.action_types where type = a.type;
  v_gated := autoexec_private.gate_reason(s, e) is not null;
  v_dry := s.dry_run or t.mode = 'dry_run';
  v_kind := autoexec_private.waiting_kind(a.status, a.confidence, a.estimated_revenue_impact, s.min_confidence,
    s.min_revenue_impact, v_gated, autoexec_private.type_gate_reason(t) is not null, v_dry,
    v_dry and exists (select from autoexec.execution_logs l where l.action_id = a.id and l.mode = 'dry_run' and l.success));
  if a.wait_kind = 'until' and (v_kind = 'line' or v_kind is null) and not v_gated then
    return a.status_reason;
  end if;
  return autoexec_private.waiting_reason(a, s, e, t, v_kind);
end;
$$;
comment on function autoexec.actions_status_reason(autoexec.actions) is
  'Why the action waits, in the words of the settings in force now, or why it ended.';
revoke all on function autoexec.actions_status_reason(autoexec.actions) from public;
grant execute on function autoexec.actions_status_reason(autoexec.actions) to autoexec_viewer;
-- The agent checks on its actions with it too (docs/agent.md): it words only what status_reason would.
grant execute on function autoexec.actions_status_reason(autoexec.actions) to autoexec_agent;
