drop function if exists autoexec_private.guard(bigint);
drop function if exists autoexec_private.guard(bigint, boolean);
create or replace function autoexec_private.guard(
  a autoexec.actions,
  s autoexec.settings,
  e autoexec.engine_state,
  t autoexec.action_types,
  p_mod_edited_at timestamptz,
  p_force boolean
)
returns table (decision text, mode text, reason text, retry_at timestamptz, final_status text)
language plpgsql stable
set search_path = pg_catalog
as $$
-- Decides whether an action may execute now, from the rows start_execution read (under the action's
-- row lock): the action, the settings, the engine state, the action's type, and when the action names
-- a mod, when someone other than the engine last edited it.
--   run:   execute now, in `mode`
--   defer: not now; try again at retry_at (the job is rescheduled)
--   wait:  not until something changes (an admin, a setting); the sweep re-enqueues it then
--   end:   never; the action ends in final_status
--   skip:  nothing to do (already finished, or not the engine's to run)
-- The rate limits are checked after a "run", by claim_execution_slot, under a lock.
-- Pending Tier 1 actions take the automatic path (every guard). Approved actions (Tier 2, or Tier 1
-- that an admin approved) skip the thresholds and the recent-edit wait: a person decided. p_force
-- (an admin's forced execution, with a reason) skips every guard that judges the action (approval,
-- thresholds, limits, recent edit, cooldown, breaker, expiry, attempts) but not the operators'
-- switches: the global switch and a disabled type still hold it, and dry run still makes it a dry
-- run. Nothing ever runs a Tier 3 action.
declare
  v_dry_run_at timestamptz;
begin
  if a.execution_tier = 3 then
    return query select 'skip', null::text, 'manual only: the engine never executes Tier 3 actions', null::timestamptz,
      null::text;
    return;
  end if;
  if a.status not in ('PENDING', 'APPROVED') then
    return query select 'skip', null::text, 'action is ' || a.status, null::timestamptz, null::text;
    return;
  end if;
  if p_force and s.enabled and t.mode <> 'disabled' then
    return query select 'run', case when s.dry_run or t.mode = 'dry_run' then 'dry_run' else 'live' end, null::text,
      null::timestamptz, null::text;
    return;
  end if;
  -- A forced execution that gets here is held by a switch: it falls through to the switch's reason.
  if a.status = 'PENDING' and a.execution_tier = 2 and not p_force then
    return query select 'skip', null::text, 'waiting for an admin''s approval', null::timestamptz, null::text;
    return;
  end if;
  if a.expires_at <= now() and not p_force then
    return query select 'end', null::text, autoexec_private.expiry_reason(a), null::timestamptz, 'EXPIRED';
    return;
  end if;
  if a.execution_attempts >= s.max_attempts and not p_force then
    return query select 'end', null::text, 'gave up after ' || a.execution_attempts || ' failed attempts',
      null::timestamptz, 'FAILED';
    return;
  end if;
  if not s.enabled then
    return query select 'wait', null::text, 'auto-execution is switched off (settings.enabled)', null::timestamptz,
      null::text;
    return;
  end if;
  if e.breaker_open and not p_force then
    return query select 'wait', null::text,
      'circuit breaker open since ' || autoexec_private.format_time(e.breaker_opened_at) || ' (' || e.breaker_reason
        || '); an admin must reset it', null::timestamptz, null::text;
    return;
  end if;
  if t.mode = 'disabled' then
    return query select 'wait', null::text, 'action type ' || t.type || ' is disabled', null::timestamptz, null::text;
    return;
  end if;
  if e.cooldown_until > now() then
    return query select 'defer', null::text,
      'cooling down after ' || s.failures_before_cooldown || ' failures in a row, until ' || autoexec_private.format_time(e.cooldown_until),
      e.cooldown_until, null::text;
    return;
  end if;

  if a.status = 'PENDING' then
    if a.confidence <= s.min_confidence then
      return query select 'wait', null::text,
        'confidence ' || a.confidence || ' is not above the minimum ' || s.min_confidence || '; needs an admin',
        null::timestamptz, null::text;
      return;
    end if;
    if a.estimated_revenue_impact <= s.min_revenue_impact then
      return query select 'wait', null::text,
        'estimated revenue impact $' || a.estimated_revenue_impact || '/month is not above the minimum $'
          || s.min_revenue_impact || '/month; needs an admin',
        null::timestamptz, null::text;
      return;
    end if;
    if p_mod_edited_at > now() - s.recent_edit_window then
      return query select 'defer', null::text,
        'mod ' || (a.action_data ->> 'modId') || ' was edited at ' || autoexec_private.format_time(p_mod_edited_at)
          || '; waiting until ' || autoexec_private.format_time((p_mod_edited_at + s.recent_edit_window))
          || ' to avoid conflicts',
        p_mod_edited_at + s.recent_edit_window, null::text;
      return;
    end if;
  end if;

  if s.dry_run or t.mode = 'dry_run' then
    select max(l.executed_at) into v_dry_run_at from autoexec.execution_logs l
      where l.action_id = a.id and l.mode = 'dry_run' and l.success;
    if v_dry_run_at is not null then
      return query select 'wait', null::text,
        'dry run succeeded at ' || autoexec_private.format_time(v_dry_run_at) || '; runs for real once dry run is off', null::timestamptz,
        null::text;
      return;
    end if;
    return query select 'run', 'dry_run', null::text, null::timestamptz, null::text;
    return;
  end if;
  return query select 'run', 'live', null::text, null::timestamptz, null::text;
end;
$$;
comment on function autoexec_private.guard(autoexec.actions, autoexec.settings, autoexec.engine_state, autoexec.action_types, timestamptz, boolean) is
  'The guardrails that decide whether an action may execute now, and why not.';
