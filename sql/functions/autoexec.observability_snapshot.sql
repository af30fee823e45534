create or replace function autoexec.observability_snapshot() returns jsonb
language sql stable
security definer
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
  -- Everything /metrics and /readyz report, in one round trip. Execution counts come from the
  -- append-only execution log, so they only ever grow (Prometheus counters). Durations are bucketed
  -- in milliseconds: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000. Time to execute is
  -- not here: joining every log to its action at every scrape cost seconds at 300,000 logs, so the
  -- workers observe it as they execute (autoexec_time_to_execute_seconds on their /metrics).
  --
  -- Nothing here scans the log or the actions: counts come from the rollups (every month bucket plus
  -- the journal's unfolded rows: all time), so a scrape costs the same at 10 million logs as at 10.
  with s as (select * from autoexec.settings), e as (select * from autoexec.engine_state),
  counts as materialized (
    select r.action_type, r.execution_tier, r.mode, r.success, r.attempt, r.executions, r.rolled_back, r.duration_ms_sum
    from autoexec_private.execution_rollups r where r.granularity = 'month'
    union all
    select c.action_type, c.execution_tier, c.mode, c.success, c.attempt, c.executions, c.rolled_back, c.duration_ms_sum
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    cross join lateral autoexec_private.log_counts(l, j.kind) c
    where j.kind in ('executed', 'rolled_back')
  ), durations as materialized (
    select r.label as mode, r.bin, r.count
    from autoexec_private.histogram_rollups r where r.granularity = 'month' and r.metric = 'duration'
    union all
    select h.label, h.bin, 1
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    cross join lateral autoexec_private.log_histogram_values(l.action_id, l.execution_tier, l.mode, l.executed_by, l.success,
      l.executed_at, l.duration_ms) h
    where j.kind = 'executed' and h.metric = 'duration'
  ), statuses as (
    select status, execution_tier, count from autoexec_private.action_counts
    union all
    select status, execution_tier, delta from autoexec_private.action_count_journal
  )
  select jsonb_build_object(
    'executions', (
      select coalesce(jsonb_agg(x), '[]') from (
        select action_type as type, execution_tier as tier, mode, case when success then 'success' else 'failure' end as outcome,
          sum(executions)::bigint as count
        from counts group by 1, 2, 3, 4 having sum(executions) > 0
      ) x),
    'durations', (
      select coalesce(jsonb_agg(x), '[]') from (
        select t.mode, t.count, t.sum_ms,
          (select jsonb_agg((select coalesce(sum(d.count), 0) from durations d where d.mode = t.mode and d.bin <= k)
             order by k)
           from generate_series(1, cardinality(autoexec_private.duration_bounds_ms())) k) as buckets
        from (
          select mode, sum(executions)::bigint as count, sum(duration_ms_sum)::bigint as sum_ms
          from counts group by mode having sum(executions) > 0
        ) t
      ) x),
    'rollbacks', (
      select coalesce(jsonb_agg(x), '[]') from (
        select action_type as type, sum(rolled_back)::bigint as count
        from counts group by 1 having sum(rolled_back) > 0
      ) x),
    'oldestWaiting', (
      -- Tier 1 PENDING: waiting for the engine; Tier 2 PENDING: waiting for a person's decision.
      select jsonb_build_object(
        'tier1', coalesce(extract(epoch from now() - min(created_at) filter (where execution_tier = 1)), 0),
        'tier2', coalesce(extract(epoch from now() - min(created_at) filter (where execution_tier = 2)), 0))
      from autoexec.actions where status = 'PENDING' and execution_tier in (1, 2)),
    'retries', (
      select coalesce(sum(c.executions), 0) from counts c, s where not c.success and c.attempt < s.max_attempts),
    'actions', (
      select coalesce(jsonb_agg(x), '[]') from (
        select status, execution_tier as tier, sum(count)::bigint as count from statuses group by 1, 2
        having sum(count) > 0
      ) x),
    'breakerOpen', (select breaker_open from e),
    'cooldownActive', (select coalesce(cooldown_until > now(), false) from e),
    'enabled', (select enabled from s),
    'dryRun', (select dry_run from s),
    'headroom', (
      select jsonb_build_object(
        'hour', s.hourly_limit - count(*) filter (where l.executed_at > now() - interval '1 hour'),
        'day', s.daily_limit - count(*))
      from s left join autoexec.execution_logs l
        on l.success and l.mode = 'live' and l.executed_by = 'auto' and l.executed_at > now() - interval '24 hours'
      group by s.hourly_limit, s.daily_limit),
    'jobs', (
      select jsonb_build_object(
        'queued', count(*),
        'locked', count(*) filter (where locked_at is not null),
        'retrying', count(*) filter (where attempts > 0 and locked_at is null))
      from graphile_worker.jobs),
    'workers', (
      select count(*) from autoexec_private.worker_heartbeats where seen_at > now() - interval '30 seconds'),
    'migrations', (select coalesce(jsonb_agg(name order by name), '[]') from autoexec_private.migrations)
  );
$$;
comment on function autoexec.observability_snapshot() is
  'Counts and states for /metrics and /readyz: executions, durations, rollbacks, actions, oldest waiting, breaker, headroom, jobs, workers.';
revoke all on function autoexec.observability_snapshot() from public;
grant execute on function autoexec.observability_snapshot() to autoexec_viewer;
