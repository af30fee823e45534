create or replace function autoexec.execution_daily(
  range_start timestamptz,
  range_end timestamptz,
  include_dry_runs boolean default false
) returns jsonb
language plpgsql stable
security definer
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
-- The history page's charts in one call (it sent one execution_stats per day before):
--   days    one entry per UTC day from range_start's day to before range_end:
--           {day, succeeded, failed, rolledBack, dryRuns, successRate}
--   byType  {type: {executed, success, failed, rolledBack, dryRuns}} over the whole range
-- Live executions always; dry runs too when include_dry_runs (the demo runs in dry run).
-- succeeded/failed/successRate then count both modes; dryRuns says how many of them were dry runs.
-- From the rollups (autoexec_private.execution_counts): the cost follows the number of days, not of logs.
declare
  v_first timestamptz := date_trunc('day', range_start, 'UTC');
  v_days jsonb;
  v_by_type jsonb;
begin
  if range_start is null or range_end is null or range_start >= range_end then
    raise exception 'the range must start before it ends' using errcode = 'AE001';
  end if;
  if range_end - range_start > interval '400 days' then
    raise exception 'the range covers at most 400 days' using errcode = 'AE001';
  end if;
  -- Rollups no coarser than a day, so every piece lies in one UTC day.
  with counted as (
    select c.action_type, date_trunc('day', c.piece_start, 'UTC') as day, c.success, c.mode, c.executions, c.rolled_back
    from autoexec_private.execution_counts(v_first, range_end, 'day') c
    where c.mode = 'live' or include_dry_runs
  ), per_day as (
    select day, sum(executions) filter (where success) as succeeded, sum(executions) filter (where not success) as failed,
      sum(rolled_back) as rolled_back, sum(executions) filter (where mode = 'dry_run') as dry_runs
    from counted group by day
  ), per_type as (
    select action_type, sum(executions) as executed, coalesce(sum(executions) filter (where success), 0) as succeeded,
      coalesce(sum(executions) filter (where not success), 0) as failed, sum(rolled_back) as rolled_back,
      coalesce(sum(executions) filter (where mode = 'dry_run'), 0) as dry_runs
    from counted group by action_type
  )
  select
    (select jsonb_agg(jsonb_build_object('day', d.day, 'succeeded', coalesce(p.succeeded, 0),
        'failed', coalesce(p.failed, 0), 'rolledBack', coalesce(p.rolled_back, 0), 'dryRuns', coalesce(p.dry_runs, 0),
        'successRate', round(coalesce(p.succeeded, 0)::numeric / nullif(coalesce(p.succeeded, 0) + coalesce(p.failed, 0), 0), 4))
        order by d.day)
      from generate_series(v_first, range_end - interval '1 microsecond', interval '1 day') d(day)
      left join per_day p on p.day = d.day),
    (select coalesce(jsonb_object_agg(action_type, jsonb_build_object('attempts', executed, 'succeeded', succeeded,
        'failed', failed, 'rolledBack', rolled_back, 'dryRuns', dry_runs)), '{}') from per_type)
    into v_days, v_by_type;
  return jsonb_build_object('days', coalesce(v_days, '[]'), 'byType', v_by_type, 'includeDryRuns', include_dry_runs);
end;
$$;
comment on function autoexec.execution_daily(timestamptz, timestamptz, boolean) is
  'Executions per UTC day and per type over a range, live only or with dry runs: the history page''s charts.';
revoke all on function autoexec.execution_daily(timestamptz, timestamptz, boolean) from public;
grant execute on function autoexec.execution_daily(timestamptz, timestamptz, boolean) to autoexec_viewer;
