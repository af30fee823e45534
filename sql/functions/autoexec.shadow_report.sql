create or replace function autoexec.shadow_report(range_start timestamptz, range_end timestamptz)
returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- PRD-18 phase 1, "review what would have been executed": the dry runs in [range_start, range_end), per
-- action type, and what the limits would have made of them live. Dry runs skip the limits, so their
-- count alone overstates phase 2; here every action's first successful dry run is replayed, oldest
-- first, under today's settings: Tier 1 under the hourly and daily limits and the per-key limit, every
-- type under its daily cap (rolling windows, as the engine counts them). An action the limits hold back
-- is deferred until the window frees; one deferred past range_end would not have run in the range.
-- Per type: dryRuns, succeeded, failed, successRate, topFailures (3 most frequent errors), wouldExecute,
-- deferred (of those), deferredSeconds {avg, max}, notWithinRange, estimatedRevenueImpact (USD/month of
-- what would have executed). readyForPhase2: at least 20 dry runs and a success rate of 95 % or more
-- (the PRD's target), with the reasons when not.
declare
  s autoexec.settings;
  c record;
  v_at timestamptz;
  v_before timestamptz;
  v_tier1 timestamptz[] := '{}';
  v_by_key jsonb := '{}';
  v_by_type jsonb := '{}';
  v_key_times timestamptz[];
  v_type_times timestamptz[];
  v_sim jsonb := '{}';
  v_entry jsonb;
  v_types jsonb;
  v_totals jsonb;
  v_reasons text[] := '{}';
  v_candidates integer;
begin
  if range_start is null or range_end is null or range_start >= range_end then
    raise exception 'the range must start before it ends' using errcode = 'AE001';
  end if;
  if range_end - range_start > interval '92 days' then
    raise exception 'the shadow report covers at most 92 days' using errcode = 'AE001';
  end if;
  select * into s from autoexec.settings;
  select count(distinct l.action_id) into v_candidates from autoexec.execution_logs l
  where l.mode = 'dry_run' and l.success and l.executed_at >= range_start and l.executed_at < range_end;
  if v_candidates > 20000 then
    raise exception '% actions dry-ran in this range; the replay takes at most 20,000, choose a shorter range', v_candidates
      using errcode = 'AE003';
  end if;

  for c in
    select f.*, t.daily_cap, a.estimated_revenue_impact as impact
    from (
      select distinct on (l.action_id) l.action_id, l.action_type, l.execution_tier, l.rate_limit_key, l.executed_at
      from autoexec.execution_logs l
      where l.mode = 'dry_run' and l.success and l.executed_at >= range_start and l.executed_at < range_end
      order by l.action_id, l.executed_at
    ) f
    join autoexec.actions a on a.id = f.action_id
    left join autoexec.action_types t on t.type = f.action_type
    order by f.executed_at, f.action_id
  loop
    v_key_times := coalesce(array(select jsonb_array_elements_text(v_by_key -> c.rate_limit_key)::timestamptz), '{}');
    v_type_times := coalesce(array(select jsonb_array_elements_text(v_by_type -> c.action_type)::timestamptz), '{}');
    v_at := c.executed_at;
    -- Each limit may push the time past another one's window: repeat until all agree.
    loop
      v_before := v_at;
      if c.execution_tier = 1 then
        v_at := autoexec_private.window_slot(v_tier1, v_at, interval '1 hour', s.hourly_limit);
        v_at := autoexec_private.window_slot(v_tier1, v_at, interval '24 hours', s.daily_limit);
        if c.rate_limit_key is not null then
          v_at := autoexec_private.window_slot(v_key_times, v_at, s.rate_limit_key_window, s.rate_limit_key_limit);
        end if;
      end if;
      v_at := autoexec_private.window_slot(v_type_times, v_at, interval '24 hours', c.daily_cap);
      exit when v_at = v_before or v_at >= range_end;
    end loop;
    v_entry := coalesce(v_sim -> c.action_type,
      '{"wouldExecute": 0, "deferred": 0, "deferredTotal": 0, "deferredMax": 0, "notWithinRange": 0, "impact": 0}');
    if v_at < range_end then
      if c.execution_tier = 1 then
        v_tier1 := v_tier1 || v_at;
        if c.rate_limit_key is not null then
          v_by_key := v_by_key || jsonb_build_object(c.rate_limit_key, to_jsonb(v_key_times || v_at));
        end if;
      end if;
      v_by_type := v_by_type || jsonb_build_object(c.action_type, to_jsonb(v_type_times || v_at));
      v_entry := v_entry || jsonb_build_object(
        'wouldExecute', (v_entry ->> 'wouldExecute')::integer + 1,
        'impact', (v_entry ->> 'impact')::numeric + c.impact);
      if v_at > c.executed_at then
        v_entry := v_entry || jsonb_build_object(
          'deferred', (v_entry ->> 'deferred')::integer + 1,
          'deferredTotal', (v_entry ->> 'deferredTotal')::numeric + extract(epoch from v_at - c.executed_at),
          'deferredMax', greatest((v_entry ->> 'deferredMax')::numeric, extract(epoch from v_at - c.executed_at)));
      end if;
    else
      v_entry := v_entry || jsonb_build_object('notWithinRange', (v_entry ->> 'notWithinRange')::integer + 1);
    end if;
    v_sim := v_sim || jsonb_build_object(c.action_type, v_entry);
  end loop;

  with runs as (
    select l.action_type, l.execution_tier, l.success, l.error_message
    from autoexec.execution_logs l
    where l.mode = 'dry_run' and l.executed_at >= range_start and l.executed_at < range_end
  ), per_type as (
    select action_type, min(execution_tier) as tier, count(*) as dry_runs, count(*) filter (where success) as succeeded,
      count(*) filter (where not success) as failed
    from runs group by action_type
  ), failures as (
    select action_type, jsonb_agg(jsonb_build_object('reason', error_message, 'count', n) order by n desc, error_message)
      filter (where rank <= 3) as top
    from (
      select action_type, error_message, count(*) as n,
        row_number() over (partition by action_type order by count(*) desc, error_message) as rank
      from runs where not success group by action_type, error_message
    ) f group by action_type
  ), typed as (
    select p.*, coalesce(f.top, '[]') as top, coalesce(v_sim -> p.action_type,
      '{"wouldExecute": 0, "deferred": 0, "deferredTotal": 0, "deferredMax": 0, "notWithinRange": 0, "impact": 0}') as sim
    from per_type p left join failures f using (action_type)
  )
  select
    coalesce(jsonb_agg(jsonb_build_object(
      'type', action_type, 'tier', tier, 'dryRuns', dry_runs, 'succeeded', succeeded, 'failed', failed,
      'successRate', round(succeeded::numeric / nullif(dry_runs, 0), 4), 'topFailures', top,
      'wouldExecute', (sim ->> 'wouldExecute')::integer, 'deferred', (sim ->> 'deferred')::integer,
      'deferredSeconds', jsonb_build_object(
        'avg', round((sim ->> 'deferredTotal')::numeric / nullif((sim ->> 'deferred')::integer, 0), 1),
        'max', case when (sim ->> 'deferred')::integer > 0 then round((sim ->> 'deferredMax')::numeric, 1) end),
      'notWithinRange', (sim ->> 'notWithinRange')::integer,
      'estimatedRevenueImpact', round((sim ->> 'impact')::numeric, 2)) order by tier, action_type), '[]'),
    jsonb_build_object('dryRuns', coalesce(sum(dry_runs), 0), 'succeeded', coalesce(sum(succeeded), 0),
      'failed', coalesce(sum(failed), 0),
      'successRate', round(sum(succeeded)::numeric / nullif(sum(dry_runs), 0), 4),
      'wouldExecute', coalesce(sum((sim ->> 'wouldExecute')::integer), 0),
      'deferred', coalesce(sum((sim ->> 'deferred')::integer), 0),
      'notWithinRange', coalesce(sum((sim ->> 'notWithinRange')::integer), 0),
      'estimatedRevenueImpact', round(coalesce(sum((sim ->> 'impact')::numeric), 0), 2))
    into v_types, v_totals
  from typed;

  if (v_totals ->> 'dryRuns')::integer < 20 then
    v_reasons := v_reasons || format('only %s dry runs in the range; at least 20 are needed to judge', v_totals ->> 'dryRuns');
  end if;
  if coalesce((v_totals ->> 'successRate')::numeric, 0) < 0.95 then
    v_reasons := v_reasons || format('the dry-run success rate is %s%%, below the 95%% target',
      coalesce(round((v_totals ->> 'successRate')::numeric * 100, 1)::text, 'not measured'));
  end if;
  return jsonb_build_object(
    'range', jsonb_build_object('from', range_start, 'to', range_end),
    'limits', jsonb_build_object('hourlyLimit', s.hourly_limit, 'dailyLimit', s.daily_limit,
      'rateLimitKeyLimit', s.rate_limit_key_limit, 'rateLimitKeyWindowSeconds', extract(epoch from s.rate_limit_key_window)),
    'types', v_types,
    'totals', v_totals,
    'readyForPhase2', jsonb_build_object('ready', cardinality(v_reasons) = 0, 'reasons', to_jsonb(v_reasons)));
end;
$$;
comment on function autoexec.shadow_report(timestamptz, timestamptz) is
  'Phase 1 shadow report: dry runs per type in a range, and what today''s limits would have let execute live, '
  'deferred (and for how long) or held back past the range, with the revenue impact and a ready-for-phase-2 verdict.';
revoke all on function autoexec.shadow_report(timestamptz, timestamptz) from public;
grant execute on function autoexec.shadow_report(timestamptz, timestamptz) to autoexec_viewer;
