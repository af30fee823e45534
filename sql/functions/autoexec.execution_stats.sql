create or replace function autoexec.execution_stats(
  range_start timestamptz default null,
  range_end timestamptz default null,
  recent_limit integer default 20
) returns jsonb
language plpgsql stable
security definer
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
-- GET /api/monetization/execution/stats. "today" is the current UTC day. Everything else covers live
-- executions in [range_start, range_end) (default: the 30 days up to now); dry runs appear only in
-- today.dryRuns and recentExecutions.
--   successRate        successful / all live execution attempts
--   rollbackRate       rolled back / successful live executions
--   tier1TimeToExecute Tier 1 actions the engine ran on its own (executed_by 'auto'): created_at to executed_at
--   tier2TimeToExecute actions run after approval (Tier 2, executed_by 'approved'): reviewed_at to executed_at
--   reviewTime         time from proposal to an admin's decision and the review time Tier 1 saved
--                      (autoexec_private.review_time_metrics)
--   p50/p95Seconds     estimated from the rollups' histograms: within 4.4 % of percentile_cont over
--                      the raw times (autoexec_private.latency_bin); every count is exact
-- Counts and histograms come from the rollups (execution_counts, histogram_counts): whole UTC months,
-- days and hours from there, the edges of the range (under an hour each) from the log, so the cost
-- does not grow with the log. recentExecutions reads execution_logs_executed_at_idx backwards.
declare
  v_end timestamptz := coalesce(range_end, now());
  v_start timestamptz := coalesce(range_start, coalesce(range_end, now()) - interval '30 days');
  v_today timestamptz := date_trunc('day', now(), 'UTC');
  v_today_stats jsonb;
  v_rolled_back_today integer;
  v_by_type jsonb;
  v_totals jsonb;
  v_tier1 jsonb;
  v_tier2 jsonb;
  v_recent jsonb;
  v_automated bigint;
  v_review jsonb;
begin
  if v_start >= v_end then
    raise exception 'the range must start before it ends (from % to %)', v_start, v_end using errcode = 'AE001';
  end if;
  if recent_limit is null or recent_limit not between 0 and 100 then
    raise exception 'recent_limit must be between 0 and 100, got %', coalesce(recent_limit::text, 'null')
      using errcode = 'AE001';
  end if;

  select jsonb_build_object(
      'autoExecuted', coalesce(sum(c.executions) filter (where c.success and c.mode = 'live' and c.executed_by = 'auto'), 0),
      'approvedExecuted',
        coalesce(sum(c.executions) filter (where c.success and c.mode = 'live' and c.executed_by = 'approved'), 0),
      'manualExecuted', coalesce(sum(c.executions) filter (where c.success and c.mode = 'live' and c.executed_by = 'manual'), 0),
      'dryRuns', coalesce(sum(c.executions) filter (where c.success and c.mode = 'dry_run'), 0),
      'failed', coalesce(sum(c.executions) filter (where not c.success), 0))
    into v_today_stats
  from autoexec_private.execution_counts(v_today, autoexec_private.bucket_end('day', v_today)) c;
  -- Rollbacks recorded today (of executions of any day): execution_logs_rolled_back_at_idx, a day's worth.
  select count(*) into v_rolled_back_today
  from autoexec.execution_logs l
  where l.rolled_back_at >= v_today;

  with per_type as (
    select c.action_type, sum(c.executions) as executed, sum(c.executions) filter (where c.success) as succeeded,
      sum(c.executions) filter (where not c.success) as failed, sum(c.rolled_back) as rolled_back,
      sum(c.executions) filter (where c.success and c.executed_by = 'auto') as automated
    from autoexec_private.execution_counts(v_start, v_end) c
    where c.mode = 'live'
    group by c.action_type
  )
  select
    -- attempts counts every live attempt, failed ones included; succeeded + failed = attempts.
    coalesce(jsonb_object_agg(action_type, jsonb_build_object('attempts', executed, 'succeeded', coalesce(succeeded, 0),
      'failed', coalesce(failed, 0), 'rolledBack', rolled_back)) filter (where action_type is not null), '{}'),
    jsonb_build_object(
      'executions', coalesce(sum(executed), 0),
      'succeeded', coalesce(sum(succeeded), 0),
      'failed', coalesce(sum(failed), 0),
      'rolledBack', coalesce(sum(rolled_back), 0),
      'successRate', round(sum(succeeded)::numeric / nullif(sum(executed), 0), 4),
      'rollbackRate', round(sum(rolled_back)::numeric / nullif(sum(succeeded), 0), 4)),
    coalesce(sum(automated), 0)
    into v_by_type, v_totals, v_automated
  from per_type;

  -- One read of the rollups' histograms for the three metrics (times to execute, to decide).
  with histogram as (
    select h.metric, h.label, h.bin, h.count
    from autoexec_private.histogram_counts(v_start, v_end, '{tier1_to_execute,tier2_to_execute,decision}') h
  ), tiers as (
    select h.metric, h.bin, sum(h.count)::bigint as count
    from histogram h where h.metric <> 'decision'
    group by h.metric, h.bin
  ), summary as (
    select m.metric, jsonb_build_object('executions', coalesce(sum(h.count), 0),
      'p50Seconds', autoexec_private.histogram_percentile(array_agg(h.bin order by h.bin) filter (where h.bin is not null),
        array_agg(h.count order by h.bin) filter (where h.bin is not null), 0.5),
      'p95Seconds', autoexec_private.histogram_percentile(array_agg(h.bin order by h.bin) filter (where h.bin is not null),
        array_agg(h.count order by h.bin) filter (where h.bin is not null), 0.95)) as figures
    from (values ('tier1_to_execute'), ('tier2_to_execute')) m(metric)
    left join tiers h using (metric)
    group by m.metric
  )
  select (select figures from summary where metric = 'tier1_to_execute'),
    (select figures from summary where metric = 'tier2_to_execute'),
    (select autoexec_private.review_time_metrics(coalesce(array_agg(h.label), '{}'), coalesce(array_agg(h.bin), '{}'),
       coalesce(array_agg(h.count), '{}'), v_automated)
     from histogram h where h.metric = 'decision')
    into v_tier1, v_tier2, v_review;

  select coalesce(jsonb_agg(autoexec_private.execution_log_json(r) order by r.executed_at desc, r.id desc), '[]')
    into v_recent
  from (
    select * from autoexec.execution_logs l
    where l.executed_at >= v_start and l.executed_at < v_end
    order by l.executed_at desc, l.id desc
    limit recent_limit
  ) r;

  return jsonb_build_object(
    'today', v_today_stats || jsonb_build_object('rolledBack', v_rolled_back_today, 'since', v_today),
    'byType', v_by_type,
    'recentExecutions', v_recent,
    'range', jsonb_build_object('from', v_start, 'to', v_end),
    'metrics', v_totals || jsonb_build_object('tier1TimeToExecute', v_tier1, 'tier2TimeToExecute', v_tier2,
      'reviewTime', v_review)
  );
end;
$$;
comment on function autoexec.execution_stats(timestamptz, timestamptz, integer) is
  E'@name execution_stats_json\n@behavior -queryField -mutationField\n'
  'Execution statistics as JSON (REST; GraphQL serves them typed: autoexec.execution_statistics): today''s '
  'counts, per-type counts, recent executions and PRD-18''s success metrics (success rate, rollback rate, '
  'time to execute p50/p95 for Tier 1 and Tier 2) over a range (default: 30 days).';
-- The auditor reads exactly the logs, the audit events and their two views; the API's roles read stats.
revoke all on function autoexec.execution_stats(timestamptz, timestamptz, integer) from public, autoexec_auditor;
grant execute on function autoexec.execution_stats(timestamptz, timestamptz, integer) to autoexec_viewer;
