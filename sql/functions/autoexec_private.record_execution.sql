create or replace function autoexec_private.record_execution(
  p_action_id bigint,
  p_mode text,
  p_executed_by text,
  p_output jsonb,
  p_rollback_data jsonb,
  p_duration_ms integer,
  p_force_reason text default null
) returns table (log_id bigint, tier smallint, time_to_execute_s double precision)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Logs a successful execution and updates the action, in the executing transaction. A live
-- automatic execution's slot lock (start_execution) is still held, so stamping it now is as good as
-- stamping it at the claim: every execution counted later is stamped later still.
-- Returns the log's id and, for the worker's time-to-execute histogram (src/worker-status.ts), the
-- seconds a live Tier 1 execution took from its proposal, or a Tier 2 one from its approval (null for
-- dry runs and forced executions), so that the worker needs no query of its own to observe it.
declare
  a autoexec.actions;
  v_log_id bigint;
  v_executed_at timestamptz := clock_timestamp();
  v_approved_by text;
begin
  select * into a from autoexec.actions where id = p_action_id;
  insert into autoexec.execution_logs (
    action_id, action_type, execution_tier, rate_limit_key, executed_at, executed_by, mode, attempt,
    input_data, output_data, success, duration_ms, rollback_data, force_reason, allowance
  ) values (
    a.id, a.type, a.execution_tier, a.rate_limit_key, v_executed_at, p_executed_by, p_mode,
    a.execution_attempts + 1, a.action_data, p_output, true, p_duration_ms, p_rollback_data, p_force_reason,
    case when p_executed_by = 'auto' then
      autoexec_private.allowance_of(a.confidence, (select s from autoexec.settings s)) end
  ) returning id into v_log_id;

  if p_mode = 'live' then
    update autoexec.actions set
      status = 'EXECUTED',
      executed_at = v_executed_at,
      execution_result = jsonb_build_object('success', true, 'output', p_output),
      execution_attempts = execution_attempts + 1,
      last_attempt_at = v_executed_at,
      status_reason = null,
      deferred_until = null,
      wait_kind = null
    where id = a.id;
  else
    -- A dry run changes nothing, so it uses up no attempt and the action stays where it was.
    update autoexec.actions set
      execution_result = jsonb_build_object('success', true, 'dryRun', true, 'output', p_output),
      status_reason = 'dry run succeeded at ' || autoexec_private.format_time(v_executed_at)
        || '; runs for real once dry run is off',
      deferred_until = null,
      wait_kind = 'dry_run_done'
    where id = a.id;
  end if;

  if p_force_reason is not null then
    v_approved_by := autoexec_private.record_forced_execution(v_log_id, a.status);
  end if;
  if p_mode = 'live' and a.execution_tier = 2 then
    perform autoexec_private.notify('tier2_executed', 'info',
      'Approved action ' || a.id || ' (' || a.type || ') was executed',
      jsonb_build_object('actionId', a.id, 'type', a.type, 'executionLogId', v_log_id,
        'approvedBy', coalesce(a.reviewed_by, v_approved_by)));
  end if;

  -- A success ends a failure streak, and a successful probe after a breaker reset counts towards
  -- closing it for good. Most executions find neither: reading is cheaper than updating nothing.
  if (select es.consecutive_failures <> 0 from autoexec.engine_state es) then
    perform autoexec_private.note_execution_outcome(true);
  end if;
  if p_mode = 'live' and p_executed_by in ('auto', 'approved') and autoexec_private.probing(a.type) then
    perform autoexec_private.note_probe_outcome(a.id, a.type, null);
  end if;
  return query select v_log_id, a.execution_tier,
    case when p_mode = 'live'
              and ((a.execution_tier = 1 and p_executed_by = 'auto')
                   or (a.execution_tier = 2 and p_executed_by = 'approved'))
      then extract(epoch from v_executed_at
                   - case a.execution_tier when 1 then a.created_at else a.reviewed_at end)::float8 end;
end;
$$;
comment on function autoexec_private.record_execution(bigint, text, text, jsonb, jsonb, integer, text) is
  'Writes the execution log of a successful (or dry-run) execution and updates the action; returns the log''s id and the time to execute.';
