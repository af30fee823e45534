create or replace function autoexec.execution_statistics(
  range_start timestamptz default null,
  range_end timestamptz default null,
  recent_limit integer default 20
) returns autoexec.execution_statistics
language sql stable
security definer
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
  -- GraphQL's executionStats: autoexec.execution_stats (the figures, also REST's JSON) as typed objects.
  -- Its recent executions are table rows here, so GraphQL serves them as ExecutionLog objects.
  with s as (select autoexec.execution_stats(range_start, range_end, recent_limit) as j),
  m as (select j -> 'metrics' as m, j -> 'metrics' -> 'reviewTime' as r from s)
  select
    (j -> 'range' ->> 'from')::timestamptz,
    (j -> 'range' ->> 'to')::timestamptz,
    row((j -> 'today' ->> 'since')::timestamptz, (j -> 'today' ->> 'autoExecuted')::integer,
      (j -> 'today' ->> 'approvedExecuted')::integer, (j -> 'today' ->> 'manualExecuted')::integer,
      (j -> 'today' ->> 'dryRuns')::integer, (j -> 'today' ->> 'failed')::integer,
      (j -> 'today' ->> 'rolledBack')::integer)::autoexec.stats_today,
    array(
      select row(t.key, (t.value ->> 'attempts')::integer, (t.value ->> 'succeeded')::integer,
        (t.value ->> 'failed')::integer, (t.value ->> 'rolledBack')::integer)::autoexec.stats_type_counts
      from jsonb_each(j -> 'byType') t order by t.key),
    row((m ->> 'executions')::integer, (m ->> 'succeeded')::integer, (m ->> 'failed')::integer,
      (m ->> 'rolledBack')::integer, (m ->> 'successRate')::float8, (m ->> 'rollbackRate')::float8,
      row((m -> 'tier1TimeToExecute' ->> 'executions')::integer, (m -> 'tier1TimeToExecute' ->> 'p50Seconds')::float8,
        (m -> 'tier1TimeToExecute' ->> 'p95Seconds')::float8)::autoexec.stats_time_to_execute,
      row((m -> 'tier2TimeToExecute' ->> 'executions')::integer, (m -> 'tier2TimeToExecute' ->> 'p50Seconds')::float8,
        (m -> 'tier2TimeToExecute' ->> 'p95Seconds')::float8)::autoexec.stats_time_to_execute,
      row((r ->> 'decisions')::integer, (r ->> 'p50Seconds')::float8, (r ->> 'p95Seconds')::float8,
        array(
          select row(t.key, (t.value ->> 'decisions')::integer, (t.value ->> 'p50Seconds')::float8,
            (t.value ->> 'p95Seconds')::float8)::autoexec.stats_type_review_time
          from jsonb_each(r -> 'byType') t order by t.key),
        (r ->> 'automatedDecisions')::integer, (r ->> 'savedSeconds')::float8, (r ->> 'savedShare')::float8,
        (r ->> 'target')::float8)::autoexec.stats_review_time
    )::autoexec.stats_metrics,
    array(
      select l from autoexec.execution_logs l
      where l.id in (select (x ->> 'id')::bigint from jsonb_array_elements(j -> 'recentExecutions') x)
      order by l.executed_at desc, l.id desc)
  from s, m;
$$;
comment on function autoexec.execution_statistics(timestamptz, timestamptz, integer) is
  E'@name execution_stats\nExecution statistics over a range (default: the 30 days up to now): today''s counts, '
  'per-type counts, PRD-18''s success metrics and the latest executions.';
revoke all on function autoexec.execution_statistics(timestamptz, timestamptz, integer) from public, autoexec_auditor;
grant execute on function autoexec.execution_statistics(timestamptz, timestamptz, integer) to autoexec_viewer;
