create or replace function autoexec_private.waiting_verdict(
  a autoexec.actions, s autoexec.settings, e autoexec.engine_state, t autoexec.action_types
) returns table (kind text, reason text, until timestamptz)
language sql stable
set search_path = pg_catalog
as $$
  -- What a waiting action waits for now, from the current settings, engine state and its type: the
  -- wait_kind (see autoexec.actions.wait_kind) and its reason, or kind 'run' when it may run without a
  -- slot (an approved action, or a dry run still to do) and gets a job. The guard decides the same
  -- way for an action being executed; this is its set-based twin for re-evaluating the waiting ones.
  -- A wait of the action's own ('until': recent edit, per-key or per-type limit) rejoins the line: its
  -- reason may quote a number that changed, and the guard re-decides it exactly when it comes up.
  select
    case
      when gate is not null then case when a.status = 'APPROVED' then 'hold' else 'line' end
      when type_gate is not null then 'type_off'
      when threshold is not null then 'threshold'
      when dry and dry_run_at is not null then 'dry_run_done'
      when dry or a.status = 'APPROVED' then 'run'
      else 'line'
    end,
    case
      when gate is not null then gate
      when type_gate is not null then type_gate
      when threshold is not null then threshold
      when dry and dry_run_at is not null then 'dry run succeeded at ' || autoexec_private.format_time(dry_run_at)
        || '; runs for real once dry run is off'
      when dry or a.status = 'APPROVED' then 'queued for execution'
      else autoexec_private.line_reason(s, e)
    end,
    null::timestamptz
  from (
    select autoexec_private.gate_reason(s, e) as gate,
      autoexec_private.type_gate_reason(t) as type_gate,
      autoexec_private.threshold_reason(a, s) as threshold,
      (s.dry_run or t.mode = 'dry_run') as dry
  ) checks
  left join lateral (
    select max(l.executed_at) as dry_run_at from autoexec.execution_logs l
    where checks.dry and l.action_id = a.id and l.mode = 'dry_run' and l.success
  ) dry_runs on true;
$$;
comment on function autoexec_private.waiting_verdict(autoexec.actions, autoexec.settings, autoexec.engine_state, autoexec.action_types) is
  'What a waiting action waits for under the current settings (kind, reason), or ''run''.';
