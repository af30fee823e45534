create or replace function autoexec_private.claim_execution_slot(
  a autoexec.actions,
  s autoexec.settings,
  t autoexec.action_types,
  p_automatic boolean
)
returns table (allowed boolean, reason text, retry_at timestamptz, wait_kind text)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Checks the rolling-window limits for a live execution, before its handler runs (a, s and t are the
-- action, the settings and the action's type, as start_execution read them). The hourly, daily
-- and per-key limits bind automatic (unapproved Tier 1) executions only; the per-type daily cap binds
-- every live execution. A refusal says how the action waits: 'line' (for the hourly or daily limit:
-- the dispatcher hands out the next free slot, retry_at is when it frees) or 'until' (its own key's or
-- type's limit, until retry_at).
--
-- Counting locks the engine's slot table (autoexec_private.execution_slot_lock) in EXCLUSIVE mode,
-- held until the caller commits its execution log, so the count and the insert are atomic across every
-- worker: no window can ever hold more executions than its limit. Only the engine's roles can take
-- that lock (LOCK TABLE needs UPDATE on the table); an advisory lock, which any role can take, would
-- let the agent stall every worker. When no limit that applies can bind, the table is locked in ROW
-- SHARE mode (a fast-path lock: no tuple write, no MultiXact) and nothing is counted, so executions
-- do not wait for each other's commits. "Cannot bind": every log row
-- committed before this check has an id up to max(id), and every execution not yet committed holds a
-- connection (or is a prepared transaction) and logs at most one row, so no window can hold more than
-- max(id) + max_connections + max_prepared_transactions rows. An exclusive request waits for every
-- shared holder, so the counting path always sees every admitted execution.
--
-- Value order: an automatic action that arrives while better ones wait in the line does not take a
-- free slot ahead of them; it joins the line (retry_at now wakes the dispatcher, which gives the slot
-- to the head). Dispatched actions are the head.
declare
  v_now timestamptz;
  v_frees_at timestamptz;
  v_most_rows bigint;
  v_head autoexec.actions;
  -- Phase 3: a confident action counts against its own allowance (allowance_of, allowance_limits).
  v_allowance text := autoexec_private.allowance_of(a.confidence, s);
  v_hourly integer;
  v_daily integer;
begin
  select l.hourly, l.daily into v_hourly, v_daily from autoexec_private.allowance_limits(s, v_allowance) l;
  v_most_rows := coalesce((select max(id) from autoexec.execution_logs), 0)
    + current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int;
  if (not p_automatic or (v_hourly > v_most_rows and v_daily > v_most_rows
        and (a.rate_limit_key is null or s.rate_limit_key_limit > v_most_rows)))
     and (t.daily_cap is null or t.daily_cap > v_most_rows) then
    lock table autoexec_private.execution_slot_lock in row share mode;
    return query select true, null::text, null::timestamptz, null::text;
    return;
  end if;

  lock table autoexec_private.execution_slot_lock in exclusive mode;
  v_now := clock_timestamp();

  if p_automatic then
    v_frees_at := autoexec_private.window_frees_at(v_hourly, '1 hour', v_now, null, v_allowance);
    if v_frees_at is null then
      v_frees_at := autoexec_private.window_frees_at(v_daily, '24 hours', v_now, null, v_allowance);
    end if;
    if v_frees_at is not null then
      return query select false, autoexec_private.line_reason(s, null::autoexec.engine_state),
        nullif(v_frees_at, 'infinity'), 'line';
      return;
    end if;
    if a.rate_limit_key is not null then
      v_frees_at := autoexec_private.window_frees_at(s.rate_limit_key_limit, s.rate_limit_key_window, v_now,
        a.rate_limit_key);
      if v_frees_at is not null then
        return query select false,
          'limit for ' || a.rate_limit_key || ' reached (' || s.rate_limit_key_limit || ' per '
            || autoexec_private.format_interval(s.rate_limit_key_window) || '); next try at '
            || autoexec_private.format_time(v_frees_at),
          nullif(v_frees_at, 'infinity'), 'until';
        return;
      end if;
    end if;
    if a.wait_kind is distinct from 'dispatched' then
      -- The head of this action's own allowance in the line (the first 1,000 of the line are looked at).
      select h.* into v_head from (
        select * from autoexec.actions l where l.wait_kind = 'line'
        order by l.expected_value desc, l.created_at, l.id limit 1000) h
      where autoexec_private.allowance_of(h.confidence, s) is not distinct from v_allowance
      order by h.expected_value desc, h.created_at, h.id limit 1;
      if v_head.id is not null and v_head.id <> a.id
         and (v_head.expected_value > a.expected_value
              or (v_head.expected_value = a.expected_value and (v_head.created_at, v_head.id) < (a.created_at, a.id))) then
        return query select false, autoexec_private.line_reason(s, null::autoexec.engine_state), v_now, 'line';
        return;
      end if;
    end if;
  end if;

  if t.daily_cap is not null then
    select case when t.daily_cap = 0 then 'infinity'::timestamptz else l.executed_at + interval '24 hours' end
      into v_frees_at
      from (
        select l.executed_at from autoexec.execution_logs l
        where l.action_type = t.type and l.success and l.mode = 'live' and l.executed_at > v_now - interval '24 hours'
        order by l.executed_at desc
        offset greatest(t.daily_cap - 1, 0) limit 1
      ) l;
    if v_frees_at is not null or t.daily_cap = 0 then
      return query select false,
        'daily cap for ' || t.type || ' reached (' || t.daily_cap || ' per rolling 24 hours)'
          || coalesce('; next try at ' || autoexec_private.format_time(nullif(v_frees_at, 'infinity')), ''),
        nullif(v_frees_at, 'infinity'), 'until';
      return;
    end if;
  end if;

  return query select true, null::text, null::timestamptz, null::text;
end;
$$;
comment on function autoexec_private.claim_execution_slot(autoexec.actions, autoexec.settings, autoexec.action_types, boolean) is
  'Rate limits (hourly, daily, per key, per type) for one live execution, serialised across all workers while a limit can bind.';
