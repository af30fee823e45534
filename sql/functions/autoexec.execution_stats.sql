create or replace function autoexec.execution_stats(
  range_start timestamptz default null,
  range_end timestamptz default null,
  recent_limit integer default 20
) returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
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
-- Every part reads a range of execution_logs_executed_at_idx (or the rollback index), so the cost
-- follows the size of the range, not of the table.
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
begin
  if v_start >= v_end then
    raise exception 'the range must start before it ends (from % to %)', v_start, v_end using errcode = 'AE001';
  end if;
  if recent_limit is null or recent_limit not between 0 and 100 then
    raise exception 'recent_limit must be between 0 and 100, got %', coalesce(recent_limit::text, 'null')
      using errcode = 'AE001';
  end if;

  select jsonb_build_object(
      'autoExecuted', count(*) filter (where l.success and l.mode = 'live' and l.executed_by = 'auto'),
      'approvedExecuted', count(*) filter (where l.success and l.mode = 'live' and l.executed_by = 'approved'),
      'manualExecuted',
        count(*) filter (where l.success and l.mode = 'live' and l.executed_by not in ('auto', 'approved')),
      'dryRuns', count(*) filter (where l.success and l.mode = 'dry_run'),
      'failed', count(*) filter (where not l.success))
    into v_today_stats
  from autoexec.execution_logs l
  where l.executed_at >= v_today;
  select count(*) into v_rolled_back_today
  from autoexec.execution_logs l
  where l.rolled_back_at >= v_today;

  with live as (
    select l.action_type, l.success, l.rolled_back_at is not null as rolled_back
    from autoexec.execution_logs l
    where l.executed_at >= v_start and l.executed_at < v_end and l.mode = 'live'
  ), per_type as (
    select action_type, count(*) as executed, count(*) filter (where success) as succeeded,
      count(*) filter (where not success) as failed, count(*) filter (where rolled_back) as rolled_back
    from live group by action_type
  )
  select
    -- attempts counts every live attempt, failed ones included; succeeded + failed = attempts.
    coalesce(jsonb_object_agg(action_type, jsonb_build_object('attempts', executed, 'succeeded', succeeded,
      'failed', failed, 'rolledBack', rolled_back)) filter (where action_type is not null), '{}'),
    jsonb_build_object(
      'executions', coalesce(sum(executed), 0),
      'succeeded', coalesce(sum(succeeded), 0),
      'failed', coalesce(sum(failed), 0),
      'rolledBack', coalesce(sum(rolled_back), 0),
      'successRate', round(sum(succeeded)::numeric / nullif(sum(executed), 0), 4),
      'rollbackRate', round(sum(rolled_back)::numeric / nullif(sum(succeeded), 0), 4))
    into v_by_type, v_totals
  from per_type;

  select jsonb_build_object('executions', count(*),
      'p50Seconds', round(percentile_cont(0.5) within group (order by s)::numeric, 3),
      'p95Seconds', round(percentile_cont(0.95) within group (order by s)::numeric, 3))
    into v_tier1
  from (
    select extract(epoch from l.executed_at - a.created_at) ::float8 as s
    from autoexec.execution_logs l join autoexec.actions a on a.id = l.action_id
    where l.executed_at >= v_start and l.executed_at < v_end and l.mode = 'live' and l.success
      and l.execution_tier = 1 and l.executed_by = 'auto'
  ) t;
  select jsonb_build_object('executions', count(*),
      'p50Seconds', round(percentile_cont(0.5) within group (order by s)::numeric, 3),
      'p95Seconds', round(percentile_cont(0.95) within group (order by s)::numeric, 3))
    into v_tier2
  from (
    select extract(epoch from l.executed_at - a.reviewed_at) ::float8 as s
    from autoexec.execution_logs l join autoexec.actions a on a.id = l.action_id
    where l.executed_at >= v_start and l.executed_at < v_end and l.mode = 'live' and l.success
      and l.execution_tier = 2 and l.executed_by = 'approved' and a.reviewed_at is not null
  ) t;

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
      'reviewTime', autoexec_private.review_time_metrics(v_start, v_end))
  );
end;
$$;
comment on function autoexec.execution_stats(timestamptz, timestamptz, integer) is
  'Execution statistics: today''s counts, per-type counts, recent executions and PRD-18''s success metrics '
  '(success rate, rollback rate, time to execute p50/p95 for Tier 1 and Tier 2) over a range (default: 30 days).';
-- The auditor reads exactly the logs, the audit events and their two views; the API's roles read stats.
revoke all on function autoexec.execution_stats(timestamptz, timestamptz, integer) from public, autoexec_auditor;
grant execute on function autoexec.execution_stats(timestamptz, timestamptz, integer) to autoexec_viewer;
