create or replace function autoexec_private.check_rollups()
returns table (figure text, granularity text, bucket_start timestamptz, key text, maintained numeric, recomputed numeric)
language sql stable
set search_path = pg_catalog
as $$
  -- For a DBA (docs/operations.md, "Rollups"): every figure the rollups hold (with the journal's unfolded
  -- rows) that differs from the same figure recomputed from the raw tables. No row: they agree. Reads
  -- the whole log, the audit events and the actions: run it by hand, not on a schedule.
  with granularities(granularity) as (values ('hour'), ('day'), ('month')),
  maintained_counts as (
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
    cross join granularities g
    where j.kind in ('executed', 'rolled_back')
  ), recomputed_counts as (
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC') as bucket_start,
      concat_ws('/', c.action_type, c.execution_tier, c.mode, c.executed_by, c.success, c.attempt) as key,
      c.executions, c.rolled_back, c.duration_ms_sum
    from autoexec.execution_logs l
    cross join lateral autoexec_private.log_counts(l) c
    cross join granularities g
  ), counts as (
    select f.figure, x.granularity, x.bucket_start, x.key, sum(f.maintained) as maintained, sum(f.recomputed) as recomputed
    from (
      select *, true as is_maintained from maintained_counts union all select *, false from recomputed_counts
    ) x
    cross join lateral (values
      ('executions', case when x.is_maintained then x.executions end, case when not x.is_maintained then x.executions end),
      ('rolled_back', case when x.is_maintained then x.rolled_back end, case when not x.is_maintained then x.rolled_back end),
      ('duration_ms_sum', case when x.is_maintained then x.duration_ms_sum end,
        case when not x.is_maintained then x.duration_ms_sum end)
    ) f(figure, maintained, recomputed)
    group by 1, 2, 3, 4
  ), maintained_histograms as (
    select r.granularity, r.bucket_start, concat_ws('/', r.metric, r.label, r.bin) as key, r.count
    from autoexec_private.histogram_rollups r
    union all
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    cross join lateral autoexec_private.log_histogram_values(l) h
    cross join granularities g
    where j.kind = 'executed'
    union all
    select g.granularity, date_trunc(g.granularity, e.occurred_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec_private.rollup_journal j
    join autoexec.audit_events e on e.id = j.subject_id
    cross join lateral autoexec_private.decision_histogram_values(e) h
    cross join granularities g
    where j.kind = 'decided'
  ), recomputed_histograms as (
    select g.granularity, date_trunc(g.granularity, l.executed_at, 'UTC') as bucket_start,
      concat_ws('/', h.metric, h.label, h.bin) as key, 1 as count
    from autoexec.execution_logs l
    cross join lateral autoexec_private.log_histogram_values(l) h
    cross join granularities g
    union all
    select g.granularity, date_trunc(g.granularity, e.occurred_at, 'UTC'), concat_ws('/', h.metric, h.label, h.bin), 1
    from autoexec.audit_events e
    cross join lateral autoexec_private.decision_histogram_values(e) h
    cross join granularities g
    where e.action = any(autoexec_private.decision_actions())
  ), histograms as (
    select 'histogram', granularity, bucket_start, key, sum(count) filter (where is_maintained),
      sum(count) filter (where not is_maintained)
    from (
      select *, true as is_maintained from maintained_histograms union all select *, false from recomputed_histograms
    ) x
    group by 2, 3, 4
  ), statuses as (
    select 'actions', null::text, null::timestamptz, concat_ws('/', status, execution_tier), sum(n) filter (where is_maintained),
      sum(n) filter (where not is_maintained)
    from (
      select status, execution_tier, count as n, true as is_maintained from autoexec_private.action_counts
      union all
      select status, execution_tier, delta, true from autoexec_private.action_count_journal
      union all
      select status, execution_tier, 1, false from autoexec.actions
    ) x
    group by 4
  )
  select * from (
    select * from counts union all select * from histograms union all select * from statuses
  ) compared
  where coalesce(maintained, 0) <> coalesce(recomputed, 0)
  order by 1, 2, 3, 4;
$$;
comment on function autoexec_private.check_rollups() is
  'Every rollup figure that differs from the raw tables'' (none: the rollups are right). Reads everything: by hand only.';
