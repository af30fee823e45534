create or replace function autoexec_private.waiting_reason(
  a autoexec.actions,
  s autoexec.settings,
  e autoexec.engine_state,
  t autoexec.action_types,
  p_kind text
) returns text
language plpgsql stable
set search_path = pg_catalog
as $$
-- The words for a waiting action that waits as p_kind (waiting_kind) under these settings, engine
-- state and type: one wording for the reason shown at read time (autoexec.actions_status_reason) and
-- the one re-evaluation writes.
declare
  v_dry_run_at timestamptz;
begin
  case p_kind
    when 'line' then return autoexec_private.line_reason(s, e);
    when 'hold' then return autoexec_private.gate_reason(s, e);
    when 'type_off' then return autoexec_private.type_gate_reason(t);
    when 'threshold' then return autoexec_private.threshold_reason(a, s);
    when 'dry_run_done' then
      select max(l.executed_at) into v_dry_run_at from autoexec.execution_logs l
      where l.action_id = a.id and l.mode = 'dry_run' and l.success;
      return 'dry run succeeded at ' || autoexec_private.format_time(v_dry_run_at) || '; runs for real once dry run is off';
    else
      return 'queued for execution';
  end case;
end;
$$;
comment on function autoexec_private.waiting_reason(autoexec.actions, autoexec.settings, autoexec.engine_state, autoexec.action_types, text) is
  'The reason of a waiting action that waits as the given wait_kind, in the current settings'' words.';
