create or replace function autoexec.observability_snapshot() returns jsonb
language sql stable
security definer
set search_path = pg_catalog
as $$
  -- Everything /metrics and /readyz report, in one round trip. Execution counts come from the
  -- append-only execution log, so they only ever grow (Prometheus counters). Durations are bucketed
  -- in milliseconds: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000. Time to execute is
  -- not here: joining every log to its action at every scrape cost seconds at 300,000 logs, so the
  -- workers observe it as they execute (autoexec_time_to_execute_seconds on their /metrics).
  with s as (select * from autoexec.settings), e as (select * from autoexec.engine_state)
  select jsonb_build_object(
    'executions', (
      select coalesce(jsonb_agg(x), '[]') from (
        select action_type as type, execution_tier as tier, mode, case when success then 'success' else 'failure' end as outcome,
          count(*)::bigint as count
        from autoexec.execution_logs group by 1, 2, 3, 4
      ) x),
    'durations', (
      select coalesce(jsonb_agg(x), '[]') from (
        select mode, count(*)::bigint as count, coalesce(sum(duration_ms), 0)::bigint as sum_ms,
          jsonb_build_array(
            count(*) filter (where duration_ms <= 5), count(*) filter (where duration_ms <= 10),
            count(*) filter (where duration_ms <= 25), count(*) filter (where duration_ms <= 50),
            count(*) filter (where duration_ms <= 100), count(*) filter (where duration_ms <= 250),
            count(*) filter (where duration_ms <= 500), count(*) filter (where duration_ms <= 1000),
            count(*) filter (where duration_ms <= 2500), count(*) filter (where duration_ms <= 5000),
            count(*) filter (where duration_ms <= 10000)) as buckets
        from autoexec.execution_logs group by mode
      ) x),
    'rollbacks', (
      select coalesce(jsonb_agg(x), '[]') from (
        select action_type as type, count(*)::bigint as count
        from autoexec.execution_logs where rolled_back_at is not null group by 1
      ) x),
    'oldestWaiting', (
      -- Tier 1 PENDING: waiting for the engine; Tier 2 PENDING: waiting for a person's decision.
      select jsonb_build_object(
        'tier1', coalesce(extract(epoch from now() - min(created_at) filter (where execution_tier = 1)), 0),
        'tier2', coalesce(extract(epoch from now() - min(created_at) filter (where execution_tier = 2)), 0))
      from autoexec.actions where status = 'PENDING' and execution_tier in (1, 2)),
    'retries', (
      select count(*) from autoexec.execution_logs l, s where not l.success and l.attempt < s.max_attempts),
    'actions', (
      select coalesce(jsonb_agg(x), '[]') from (
        select status, execution_tier as tier, count(*)::bigint as count from autoexec.actions group by 1, 2
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
