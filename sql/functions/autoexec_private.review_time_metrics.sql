create or replace function autoexec_private.review_time_metrics(p_start timestamptz, p_end timestamptz)
returns jsonb
language sql stable
set search_path = pg_catalog
as $$
-- PRD-18's "admin review time saved 50%+", over decisions and executions in [p_start, p_end):
--   decisions            approvals and rejections admins made (bulk ones count once per action)
--   p50/p95Seconds       time from the proposal (created_at) to that decision, overall and per type
--   automatedDecisions   Tier 1 actions the engine executed live on its own: decisions nobody had to make
--   savedSeconds         automatedDecisions × the median decision time
--   savedShare           automatedDecisions / (automatedDecisions + decisions): the share of decisions,
--                        hence (at the median) of review time, the engine took off the admins
--   target               0.5
  with decided as (
    -- One primary-key lookup per decision (offset 0 keeps the planner from hashing the whole actions table).
    select a.type, extract(epoch from e.occurred_at - a.created_at)::float8 as seconds
    from autoexec.audit_events e
    cross join lateral (
      select x.type, x.created_at from autoexec.actions x where x.id = e.subject_id::bigint offset 0
    ) a
    where e.action in ('action.approved', 'action.rejected') and e.subject_type = 'action'
      and e.occurred_at >= p_start and e.occurred_at < p_end
    union all
    select a.type, extract(epoch from e.occurred_at - a.created_at)::float8
    from autoexec.audit_events e
    cross join lateral jsonb_array_elements_text(e.new_values -> 'actionIds') listed(id)
    cross join lateral (
      select x.type, x.created_at from autoexec.actions x where x.id = listed.id::bigint offset 0
    ) a
    where e.action in ('actions.approved', 'actions.rejected') and e.subject_type = 'action_batch'
      and e.occurred_at >= p_start and e.occurred_at < p_end
  ), per_type as (
    select type, jsonb_build_object('decisions', count(*),
        'p50Seconds', round(percentile_cont(0.5) within group (order by seconds)::numeric, 3),
        'p95Seconds', round(percentile_cont(0.95) within group (order by seconds)::numeric, 3)) as metrics
    from decided group by type
  ), overall as (
    select count(*) as decisions,
      round(percentile_cont(0.5) within group (order by seconds)::numeric, 3) as p50,
      round(percentile_cont(0.95) within group (order by seconds)::numeric, 3) as p95
    from decided
  ), automated as (
    select count(*) as n from autoexec.execution_logs l
    where l.success and l.mode = 'live' and l.executed_by = 'auto'
      and l.executed_at >= p_start and l.executed_at < p_end
  )
  select jsonb_build_object(
    'decisions', o.decisions,
    'p50Seconds', o.p50,
    'p95Seconds', o.p95,
    'byType', coalesce((select jsonb_object_agg(type, metrics) from per_type), '{}'),
    'automatedDecisions', au.n,
    'savedSeconds', round(au.n * o.p50, 3),
    'savedShare', round(au.n::numeric / nullif(au.n + o.decisions, 0), 4),
    'target', 0.5)
  from overall o cross join automated au;
$$;
comment on function autoexec_private.review_time_metrics(timestamptz, timestamptz) is
  'Review-time metrics for execution_stats: time to decision p50/p95 (overall, per type), decisions automated, '
  'estimated review time saved and its share against the 50% target.';
