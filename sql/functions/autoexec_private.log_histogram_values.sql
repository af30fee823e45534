create or replace function autoexec_private.log_histogram_values(l autoexec.execution_logs)
returns table (metric text, label text, bin smallint)
language sql stable
set search_path = pg_catalog
as $$
  -- What one log adds to histogram_rollups: its duration, and for the engine's own live successes the
  -- time to execute (Tier 1 run automatically: from the proposal; Tier 2 run after approval: from the
  -- approval), as execution_stats defines them.
  select 'duration', l.mode, autoexec_private.duration_bin(l.duration_ms)
  union all
  select case when l.execution_tier = 1 then 'tier1_to_execute' else 'tier2_to_execute' end, '',
    autoexec_private.latency_bin(extract(epoch from l.executed_at
      - case when l.execution_tier = 1 then a.created_at else a.reviewed_at end)::float8)
  from autoexec.actions a
  where a.id = l.action_id and l.mode = 'live' and l.success
    and ((l.execution_tier = 1 and l.executed_by = 'auto')
      or (l.execution_tier = 2 and l.executed_by = 'approved' and a.reviewed_at is not null));
$$;
comment on function autoexec_private.log_histogram_values(autoexec.execution_logs) is
  'The histogram values one execution log adds to the rollups: its duration and its time to execute.';
