create or replace function autoexec_private.review_time_metrics(
  p_types text[], p_bins smallint[], p_counts bigint[], p_automated bigint
) returns jsonb
language sql immutable
set search_path = pg_catalog
as $$
-- PRD-18's "admin review time saved 50%+", over decisions and executions in a range. It takes the
-- range's 'decision' histogram (histogram_counts: one row per type and bin, here as three parallel
-- arrays) so that execution_stats reads the rollups once for all its histograms.
--   decisions            approvals and rejections admins made (bulk ones count once per action)
--   p50/p95Seconds       time from the proposal (created_at) to that decision, overall and per type,
--                        from the rollups' histograms: within 4.4 % of percentile_cont over the raw times
--   automatedDecisions   p_automated: Tier 1 actions the engine executed live on its own in the range,
--                        decisions nobody had to make (execution_stats counts them)
--   savedSeconds         automatedDecisions × the median decision time
--   savedShare           automatedDecisions / (automatedDecisions + decisions): the share of decisions,
--                        hence (at the median) of review time, the engine took off the admins
--   target               0.5
  with histogram as (
    select h.type, h.bin, h.count
    from unnest(p_types, p_bins, p_counts) h(type, bin, count)
    where h.type is not null
  ), per_type as (
    select type, jsonb_build_object('decisions', sum(count),
        'p50Seconds', autoexec_private.histogram_percentile(array_agg(bin order by bin), array_agg(count order by bin), 0.5),
        'p95Seconds', autoexec_private.histogram_percentile(array_agg(bin order by bin), array_agg(count order by bin), 0.95))
      as metrics
    from histogram group by type
  ), overall as (
    select coalesce(sum(count), 0) as decisions,
      autoexec_private.histogram_percentile(array_agg(bin order by bin), array_agg(count order by bin), 0.5) as p50,
      autoexec_private.histogram_percentile(array_agg(bin order by bin), array_agg(count order by bin), 0.95) as p95
    from (select bin, sum(count)::bigint as count from histogram group by bin) merged
  )
  select jsonb_build_object(
    'decisions', o.decisions,
    'p50Seconds', o.p50,
    'p95Seconds', o.p95,
    'byType', coalesce((select jsonb_object_agg(type, metrics) from per_type), '{}'),
    'automatedDecisions', p_automated,
    'savedSeconds', round(p_automated * o.p50, 3),
    'savedShare', round(p_automated::numeric / nullif(p_automated + o.decisions, 0), 4),
    'target', 0.5)
  from overall o;
$$;
comment on function autoexec_private.review_time_metrics(text[], smallint[], bigint[], bigint) is
  'Review-time metrics for execution_stats from a range''s decision histogram: time to decision p50/p95 '
  '(overall, per type), decisions automated, estimated review time saved and its share against the 50% target.';
