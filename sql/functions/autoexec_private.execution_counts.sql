create or replace function autoexec_private.execution_counts(
  p_start timestamptz, p_end timestamptz, p_coarsest text default 'month'
) returns table (
  piece_start timestamptz, action_type text, execution_tier smallint, mode text, executed_by text,
  success boolean, attempt integer, executions bigint, rolled_back bigint, duration_ms_sum bigint
)
language sql stable
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
  -- The execution logs of [p_start, p_end) counted as execution_rollups counts them, exactly: whole
  -- buckets from the rollups plus what the journal has not folded into them yet, the edges (under an
  -- hour each) from the log. One row per piece (rollup_pieces) and kind; callers add them up.
  with pieces as materialized (
    select * from autoexec_private.rollup_pieces(p_start, p_end, p_coarsest)
  )
  select p.piece_start, r.action_type, r.execution_tier, r.mode, r.executed_by, r.success, r.attempt,
    r.executions, r.rolled_back, r.duration_ms_sum
  from pieces p
  join autoexec_private.execution_rollups r on r.granularity = p.granularity and r.bucket_start = p.piece_start
  union all
  select p.piece_start, c.*
  from autoexec_private.rollup_journal j
  join autoexec.execution_logs l on l.id = j.subject_id
  join pieces p on p.granularity <> 'raw' and l.executed_at >= p.piece_start and l.executed_at < p.piece_end
  cross join lateral autoexec_private.log_counts(l, j.kind) c
  where j.kind in ('executed', 'rolled_back')
  union all
  select p.piece_start, c.*
  from pieces p
  join autoexec.execution_logs l on l.executed_at >= p.piece_start and l.executed_at < p.piece_end
  cross join lateral autoexec_private.log_counts(l) c
  where p.granularity = 'raw';
$$;
comment on function autoexec_private.execution_counts(timestamptz, timestamptz, text) is
  'Execution logs in a range, counted per piece and kind from the rollups, the journal and the raw edges.';
