create or replace function autoexec_private.check_rollups()
returns table (figure text, granularity text, bucket_start timestamptz, key text, maintained numeric, recomputed numeric)
language sql stable
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
  -- For a DBA (docs/operations.md, "Rollups"): every figure the rollups hold (with the journal's unfolded
  -- rows) that differs from the same figure recomputed from the raw tables. No row: they agree. Reads
  -- the whole log, the audit events and the actions: run it by hand, not on a schedule.
  with maintained_counts as (
    select r.granularity, r.bucket_start,
      concat_ws('/', r.action_type, r.execution_tier, r.mode, r.executed_by, r.success, r.attempt) as key,
      r.executions, r.rolled_back, r.duration_ms_sum
    from autoexec_private.execution_rollups r
    union all
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC'),
      concat_ws('/', c.action_type, c.execution_tier, c.mode, c.executed_by, c.success, c.attempt),
      c.executions, c.rolled_back, c.duration_ms_sum
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    cross join lateral autoexec_private.log_counts(l, j.kind) c
    cross join autoexec_private.rollup_granularities() g
    where j.kind in ('executed', 'rolled_back')
  ), recomputed_counts as (
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC') as bucket_start,
      concat_ws('/', c.action_type, c.execution_tier, c.mode, c.executed_by, c.success, c.attempt) as key,
      c.executions, c.rolled_back, c.duration_ms_sum
    from autoexec.execution_logs l
    cross join lateral autoexec_private.log_counts(l) c
    cross join autoexec_private.rollup_granularities() g
  ), maintained_count_sums as (
    select granularity, bucket_start, key, sum(executions) as executions, sum(rolled_back) as rolled_back,
      sum(duration_ms_sum) as duration_ms_sum
    from maintained_counts group by 1, 2, 3
  ), recomputed_count_sums as (
    select granularity, bucket_start, key, sum(executions) as executions, sum(rolled_back) as rolled_back,
      sum(duration_ms_sum) as duration_ms_sum
    from recomputed_counts group by 1, 2, 3
  ), counts as (
    select f.figure, granularity, bucket_start, key, f.maintained, f.recomputed
    from maintained_count_sums m
    full join recomputed_count_sums r using (granularity, bucket_start, key)
    cross join lateral (values
      ('executions', m.executions, r.executions),
      ('rolled_back', m.rolled_back, r.rolled_back),
      ('duration_ms_sum', m.duration_ms_sum, r.duration_ms_sum)
    ) f(figure, maintained, recomputed)
  ), maintained_histograms as (
    select r.granularity, r.bucket_start, concat_ws('/', r.metric, r.label, r.bin) as key, r.count
    from autoexec_private.histogram_rollups r
    union all
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    cross join lateral autoexec_private.log_histogram_values(l.action_id, l.execution_tier, l.mode, l.executed_by, l.success,
      l.executed_at, l.duration_ms) h
    cross join autoexec_private.rollup_granularities() g
    where j.kind = 'executed'
    union all
    select g.granularity, date_trunc(g.granularity, e.occurred_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec_private.rollup_journal j
    join autoexec.audit_events e on e.id = j.subject_id
    cross join lateral autoexec_private.decision_histogram_values(e) h
    cross join autoexec_private.rollup_granularities() g
    where j.kind = 'decided'
  ), recomputed_histograms as (
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC') as bucket_start,
      concat_ws('/', h.metric, h.label, h.bin) as key, 1 as count
    from autoexec.execution_logs l
    cross join lateral autoexec_private.log_histogram_values(l.action_id, l.execution_tier, l.mode, l.executed_by, l.success,
      l.executed_at, l.duration_ms) h
    cross join autoexec_private.rollup_granularities() g
    union all
    select g.granularity, date_trunc(g.granularity, e.occurred_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec.audit_events e
    cross join lateral autoexec_private.decision_histogram_values(e) h
    cross join autoexec_private.rollup_granularities() g
    where e.action = any(autoexec_private.decision_actions())
  ), histograms as (
    select 'histogram'::text as figure, granularity, bucket_start, key, m.count as maintained, r.count as recomputed
    from (select granularity, bucket_start, key, sum(count) as count from maintained_histograms group by 1, 2, 3) m
    full join (select granularity, bucket_start, key, sum(count) as count from recomputed_histograms group by 1, 2, 3) r
      using (granularity, bucket_start, key)
  ), statuses as (
    select 'actions'::text as figure, null::text as granularity, null::timestamptz as bucket_start, key,
      m.count as maintained, r.count as recomputed
    from (
      select concat_ws('/', status, execution_tier) as key, sum(n) as count
      from (
        select status, execution_tier, count as n from autoexec_private.action_counts
        union all
        select status, execution_tier, delta from autoexec_private.action_count_journal
      ) x group by 1
    ) m
    full join (
      select concat_ws('/', status, execution_tier) as key, count(*) as count from autoexec.actions group by 1
    ) r using (key)
  )
  select * from (
    select * from counts union all select * from histograms union all select * from statuses
  ) compared
  where coalesce(maintained, 0) <> coalesce(recomputed, 0)
  order by 1, 2, 3, 4;
$$;
comment on function autoexec_private.check_rollups() is
  'Every rollup figure that differs from the raw tables'' (none: the rollups are right). Reads everything: by hand only.';
