create or replace function autoexec_private.guard(
  a autoexec.actions,
  s autoexec.settings,
  e autoexec.engine_state,
  t autoexec.action_types,
  p_mod_edited_at timestamptz,
  p_force boolean
)
returns table (decision text, mode text, reason text, retry_at timestamptz, final_status text, wait_kind text)
language plpgsql stable
set search_path = pg_catalog
as $$
-- Decides whether an action may execute now, from the rows start_execution read (under the action's
-- row lock): the action, the settings, the engine state, the action's type, and when the action names
-- a mod, when someone other than the engine last edited it.
--   run:   execute now, in `mode`
--   defer: not now; waits until retry_at (wait_kind says how: see autoexec.actions.wait_kind)
--   wait:  not until something changes (an admin, a setting); the dispatcher re-evaluates it then
--   end:   never; the action ends in final_status
--   skip:  nothing to do (already finished, or not the engine's to run)
-- The rate limits are checked after a "run", by claim_execution_slot, under a lock.
-- Pending Tier 1 actions take the automatic path (every guard). Approved actions (Tier 2, or Tier 1
-- that an admin approved) skip the thresholds and the recent-edit wait: a person decided. p_force
-- (an admin's forced execution, with a reason) skips every guard that judges the action (approval,
-- thresholds, limits, recent edit, cooldown, breaker, expiry, attempts) but not the operators'
-- switches: the global switch and a disabled type still hold it, and dry run still makes it a dry
-- run. Nothing ever runs a Tier 3 action.
-- The reasons come from the functions the waiting line uses too (gate_reason, threshold_reason), so an
-- action reads the same whether a worker or the dispatcher looked at it last.
declare
  v_dry_run_at timestamptz;
  v_reason text;
begin
  if a.execution_tier = 3 then
    return query select 'skip', null::text, 'manual only: the engine never executes Tier 3 actions', null::timestamptz,
      null::text, null::text;
    return;
  end if;
  if a.status not in ('PENDING', 'APPROVED') then
    return query select 'skip', null::text, 'action is ' || a.status, null::timestamptz, null::text, null::text;
    return;
  end if;
  if p_force and s.enabled and t.mode <> 'disabled' then
    return query select 'run', case when s.dry_run or t.mode = 'dry_run' then 'dry_run' else 'live' end, null::text,
      null::timestamptz, null::text, null::text;
    return;
  end if;
  -- A forced execution that gets here is held by a switch: it falls through to the switch's reason.
  if a.status = 'PENDING' and a.execution_tier = 2 and not p_force then
    return query select 'skip', null::text, 'waiting for an admin''s approval', null::timestamptz, null::text,
      null::text;
    return;
  end if;
  if a.expires_at <= now() and not p_force then
    return query select 'end', null::text, autoexec_private.expiry_reason(a), null::timestamptz, 'EXPIRED', null::text;
    return;
  end if;
  if a.execution_attempts >= s.max_attempts and not p_force then
    return query select 'end', null::text, 'gave up after ' || a.execution_attempts || ' failed attempts',
      null::timestamptz, 'FAILED', null::text;
    return;
  end if;
  v_reason := autoexec_private.gate_reason(s, e);
  if v_reason is not null then
    return query select case when autoexec_private.gate_until(s, e) is not null then 'defer' else 'wait' end,
      null::text, v_reason, autoexec_private.gate_until(s, e), null::text,
      case when a.status = 'APPROVED' then 'hold' else 'line' end;
    return;
  end if;
  v_reason := autoexec_private.type_gate_reason(t);
  if v_reason is not null then
    return query select 'wait', null::text, v_reason, null::timestamptz, null::text, 'type_off';
    return;
  end if;

  if a.status = 'PENDING' then
    v_reason := autoexec_private.threshold_reason(a, s);
    if v_reason is not null then
      return query select 'wait', null::text, v_reason, null::timestamptz, null::text, 'threshold';
      return;
    end if;
    if p_mod_edited_at > now() - s.recent_edit_window then
      return query select 'defer', null::text,
        'mod ' || (a.action_data ->> 'modId') || ' was edited at ' || autoexec_private.format_time(p_mod_edited_at)
          || '; waiting until ' || autoexec_private.format_time((p_mod_edited_at + s.recent_edit_window))
          || ' to avoid conflicts',
        p_mod_edited_at + s.recent_edit_window, null::text, 'until';
      return;
    end if;
  end if;

  if s.dry_run or t.mode = 'dry_run' then
    select max(l.executed_at) into v_dry_run_at from autoexec.execution_logs l
      where l.action_id = a.id and l.mode = 'dry_run' and l.success;
    if v_dry_run_at is not null then
      return query select 'wait', null::text,
        'dry run succeeded at ' || autoexec_private.format_time(v_dry_run_at) || '; runs for real once dry run is off',
        null::timestamptz, null::text, 'dry_run_done';
      return;
    end if;
    return query select 'run', 'dry_run', null::text, null::timestamptz, null::text, null::text;
    return;
  end if;
  return query select 'run', 'live', null::text, null::timestamptz, null::text, null::text;
end;
$$;
comment on function autoexec_private.guard(autoexec.actions, autoexec.settings, autoexec.engine_state, autoexec.action_types, timestamptz, boolean) is
  'The guardrails that decide whether an action may execute now, and why not.';
