create or replace function autoexec_private.note_execution_outcome(p_succeeded boolean) returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- The failure streak and the cooldown it starts. Security definer because no login may write
-- autoexec.engine_state itself (sql/migrations/020): the engine changes it only here, in
-- evaluate_circuit_breaker and, for admins, in autoexec.reset_circuit_breaker; each pause it starts
-- is audited.
declare
  s autoexec.settings;
  v_streak integer;
  v_previous_until timestamptz;
  v_until timestamptz;
  v_reason text;
begin
  if p_succeeded then
    -- A success ends a failure streak (the guarded update takes no lock when there is none).
    update autoexec.engine_state set consecutive_failures = 0 where consecutive_failures <> 0;
    return;
  end if;
  select * into s from autoexec.settings;
  update autoexec.engine_state set consecutive_failures = consecutive_failures + 1
    returning consecutive_failures, cooldown_until into v_streak, v_previous_until;
  if v_streak < s.failures_before_cooldown then
    return;
  end if;
  v_until := now() + s.cooldown;
  update autoexec.engine_state set consecutive_failures = 0, cooldown_until = v_until,
    cooldown_started_at = now(); -- a changed settings.cooldown moves the end (tg_settings__apply_cooldown)
  v_reason := v_streak || ' executions failed in a row; execution pauses until ' || autoexec_private.format_time(v_until);
  perform autoexec_private.audit('cooldown.started', 'circuit_breaker', null,
    jsonb_build_object('cooldownUntil', v_previous_until), jsonb_build_object('cooldownUntil', v_until), v_reason,
    'engine');
  perform autoexec_private.notify('cooldown_started', 'warning', v_reason,
    jsonb_build_object('failuresInARow', v_streak, 'until', v_until));
end;
$$;
comment on function autoexec_private.note_execution_outcome(boolean) is
  'Counts an execution''s outcome into the failure streak; enough failures in a row start the cooldown (audited).';
