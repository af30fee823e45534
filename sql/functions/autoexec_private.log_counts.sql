create or replace function autoexec_private.log_counts(l autoexec.execution_logs, p_kind text default null)
returns table (
  action_type text, execution_tier smallint, mode text, executed_by text, success boolean, attempt integer,
  executions bigint, rolled_back bigint, duration_ms_sum bigint
)
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- What one log adds to execution_rollups: as journalled (p_kind 'executed': the log without its
  -- rollback; 'rolled_back': its rollback alone) or as it stands in the raw log (p_kind null).
  select l.action_type, l.execution_tier, l.mode,
    case when l.executed_by in ('auto', 'approved') then l.executed_by else 'manual' end,
    l.success, case when l.success then 0 else l.attempt end,
    (p_kind is distinct from 'rolled_back')::integer::bigint,
    case p_kind when 'executed' then 0 when 'rolled_back' then 1 else (l.rolled_back_at is not null)::integer end::bigint,
    case when p_kind = 'rolled_back' then 0 else l.duration_ms end::bigint;
$$;
comment on function autoexec_private.log_counts(autoexec.execution_logs, text) is
  'What one execution log (or its rollback) adds to the execution rollups.';
