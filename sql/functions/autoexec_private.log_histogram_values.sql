create or replace function autoexec_private.log_histogram_values(
  p_action_id bigint, p_execution_tier smallint, p_mode text, p_executed_by text, p_success boolean,
  p_executed_at timestamptz, p_duration_ms integer
) returns table (metric text, label text, bin smallint)
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path). It takes the
  -- log's columns, not the row: PostgreSQL 15 cannot plan a whole-row argument used in the join below.
  -- What one log adds to histogram_rollups: its duration, and for the engine's own live successes the
  -- time to execute (Tier 1 run automatically: from the proposal; Tier 2 run after approval: from the
  -- approval), as execution_stats defines them.
  select 'duration', p_mode, autoexec_private.duration_bin(p_duration_ms)
  union all
  select case when p_execution_tier = 1 then 'tier1_to_execute' else 'tier2_to_execute' end, '',
    autoexec_private.latency_bin(extract(epoch from p_executed_at
      - case when p_execution_tier = 1 then a.created_at else a.reviewed_at end)::float8)
  from autoexec.actions a
  where a.id = p_action_id and p_mode = 'live' and p_success
    and ((p_execution_tier = 1 and p_executed_by = 'auto')
      or (p_execution_tier = 2 and p_executed_by = 'approved' and a.reviewed_at is not null));
$$;
comment on function autoexec_private.log_histogram_values(bigint, smallint, text, text, boolean, timestamptz, integer) is
  'The histogram values one execution log adds to the rollups: its duration and its time to execute.';
