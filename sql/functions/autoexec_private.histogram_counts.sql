create or replace function autoexec_private.histogram_counts(p_start timestamptz, p_end timestamptz, p_metrics text[])
returns table (metric text, label text, bin smallint, count bigint)
language sql stable
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
  -- The histograms of [p_start, p_end) (times to execute by executed_at, times to decide by the
  -- decision's time), exactly as histogram_rollups holds them: whole buckets from the rollups plus
  -- the journal's unfolded rows, the edges (under an hour each) from the log and the audit events.
  with pieces as materialized (
    select * from autoexec_private.rollup_pieces(p_start, p_end)
  ), observed as (
    select r.metric, r.label, r.bin, r.count
    from pieces p
    join autoexec_private.histogram_rollups r on r.granularity = p.granularity and r.bucket_start = p.piece_start
    where r.metric = any(p_metrics)
    union all
    select h.*, 1
    from autoexec_private.rollup_journal j
    join autoexec.execution_logs l on l.id = j.subject_id
    join pieces p on p.granularity <> 'raw' and l.executed_at >= p.piece_start and l.executed_at < p.piece_end
    cross join lateral autoexec_private.log_histogram_values(l.action_id, l.execution_tier, l.mode, l.executed_by, l.success,
      l.executed_at, l.duration_ms) h
    where j.kind = 'executed' and h.metric = any(p_metrics)
    union all
    select h.*, 1
    from autoexec_private.rollup_journal j
    join autoexec.audit_events e on e.id = j.subject_id
    join pieces p on p.granularity <> 'raw' and e.occurred_at >= p.piece_start and e.occurred_at < p.piece_end
    cross join lateral autoexec_private.decision_histogram_values(e) h
    where j.kind = 'decided' and h.metric = any(p_metrics)
    union all
    select h.*, 1
    from pieces p
    join autoexec.execution_logs l on l.executed_at >= p.piece_start and l.executed_at < p.piece_end
    cross join lateral autoexec_private.log_histogram_values(l.action_id, l.execution_tier, l.mode, l.executed_by, l.success,
      l.executed_at, l.duration_ms) h
    where p.granularity = 'raw' and h.metric = any(p_metrics)
    union all
    select h.*, 1
    from pieces p
    join autoexec.audit_events e on e.action = any(autoexec_private.decision_actions())
      and e.occurred_at >= p.piece_start and e.occurred_at < p.piece_end
    cross join lateral autoexec_private.decision_histogram_values(e) h
    where p.granularity = 'raw' and h.metric = any(p_metrics)
  )
  select metric, label, bin, sum(count)::bigint from observed group by metric, label, bin;
$$;
comment on function autoexec_private.histogram_counts(timestamptz, timestamptz, text[]) is
  'Histogram counts per metric, label and bin over a range, from the rollups, the journal and the raw edges.';
