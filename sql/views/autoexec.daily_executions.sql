-- The current definition (migration 004 is its history).
create or replace view autoexec.daily_executions as
select
  date_trunc('day', executed_at) as day,
  action_type,
  execution_tier,
  mode,
  case
    when not success then 'failed'
    when rolled_back_at is not null then 'rolled_back'
    else 'succeeded'
  end as outcome,
  count(*)::integer as executions,
  round(avg(duration_ms))::integer as avg_duration_ms
from autoexec.execution_logs
group by 1, 2, 3, 4, 5;
-- The mode is an execution mode and the tier a tier, as in execution_logs: smart tags give them their
-- GraphQL enums (migrations 084 and 093).
comment on view autoexec.daily_executions is
  E'@foreignKey (mode) references autoexec.execution_modes (mode)\nExecutions per day, type, tier, mode and outcome.';
comment on column autoexec.daily_executions.day is 'The UTC day.';
comment on column autoexec.daily_executions.action_type is 'The action type.';
comment on column autoexec.daily_executions.execution_tier is
  E'@vocabulary execution_tiers\nThe tier the action was executed at.';
comment on column autoexec.daily_executions.mode is 'live or dry_run.';
comment on column autoexec.daily_executions.outcome is 'succeeded, failed, or rolled_back (succeeded, then rolled back).';
comment on column autoexec.daily_executions.executions is 'Execution attempts that day.';
comment on column autoexec.daily_executions.avg_duration_ms is 'Their average handler time, in milliseconds.';
grant select on autoexec.daily_executions to autoexec_viewer, autoexec_auditor;
