-- GraphQL's executionStats as typed objects (issue 15 part 5): each figure a documented field instead
-- of one JSON value. autoexec.execution_statistics() builds them from autoexec.execution_stats(), which
-- REST keeps answering with as JSON.
create type autoexec.stats_today as (
  since timestamptz,
  auto_executed integer,
  approved_executed integer,
  manual_executed integer,
  dry_runs integer,
  failed integer,
  rolled_back integer
);
comment on type autoexec.stats_today is 'Executions of the current UTC day, live unless said otherwise.';
comment on column autoexec.stats_today.since is 'The start of the current UTC day.';
comment on column autoexec.stats_today.auto_executed is 'Live executions Tier 1 ran on its own.';
comment on column autoexec.stats_today.approved_executed is 'Live executions run after an approval.';
comment on column autoexec.stats_today.manual_executed is 'Live executions a person forced.';
comment on column autoexec.stats_today.dry_runs is 'Successful dry runs.';
comment on column autoexec.stats_today.failed is 'Failed attempts, live or dry run.';
comment on column autoexec.stats_today.rolled_back is 'Rollbacks recorded today (of executions of any day).';

create type autoexec.stats_type_counts as (
  type text,
  attempts integer,
  succeeded integer,
  failed integer,
  rolled_back integer
);
comment on type autoexec.stats_type_counts is 'One action type''s live execution attempts over the range.';
comment on column autoexec.stats_type_counts.type is 'The action type.';
comment on column autoexec.stats_type_counts.attempts is 'Live attempts, failed ones included: succeeded + failed.';
comment on column autoexec.stats_type_counts.succeeded is 'Live attempts that succeeded.';
comment on column autoexec.stats_type_counts.failed is 'Live attempts that failed.';
comment on column autoexec.stats_type_counts.rolled_back is 'Successful ones rolled back since.';

create type autoexec.stats_time_to_execute as (
  executions integer,
  p50_seconds float8,
  p95_seconds float8
);
comment on type autoexec.stats_time_to_execute is
  'Time to execute: Tier 1 from the proposal, Tier 2 from the approval. Percentiles from the rollups'' '
  'histograms, within 4.4 % of the exact ones.';
comment on column autoexec.stats_time_to_execute.executions is 'Executions measured.';
comment on column autoexec.stats_time_to_execute.p50_seconds is 'Median, in seconds; null without executions.';
comment on column autoexec.stats_time_to_execute.p95_seconds is '95th percentile, in seconds; null without executions.';

create type autoexec.stats_type_review_time as (
  type text,
  decisions integer,
  p50_seconds float8,
  p95_seconds float8
);
comment on type autoexec.stats_type_review_time is 'Time from proposal to an admin''s decision, for one action type.';
comment on column autoexec.stats_type_review_time.type is 'The action type.';
comment on column autoexec.stats_type_review_time.decisions is 'Approvals and rejections (bulk ones once per action).';
comment on column autoexec.stats_type_review_time.p50_seconds is 'Median, in seconds (within 4.4 %).';
comment on column autoexec.stats_type_review_time.p95_seconds is '95th percentile, in seconds (within 4.4 %).';

create type autoexec.stats_review_time as (
  decisions integer,
  p50_seconds float8,
  p95_seconds float8,
  by_type autoexec.stats_type_review_time[],
  automated_decisions integer,
  saved_seconds float8,
  saved_share float8,
  target float8
);
comment on type autoexec.stats_review_time is 'PRD-18''s "admin review time saved 50%+" over the range.';
comment on column autoexec.stats_review_time.decisions is 'Approvals and rejections admins made (bulk ones once per action).';
comment on column autoexec.stats_review_time.p50_seconds is 'Median time from proposal to decision, in seconds (within 4.4 %).';
comment on column autoexec.stats_review_time.p95_seconds is '95th percentile of it, in seconds (within 4.4 %).';
comment on column autoexec.stats_review_time.by_type is 'The same per action type.';
comment on column autoexec.stats_review_time.automated_decisions is
  'Tier 1 actions executed live on their own: decisions nobody had to make.';
comment on column autoexec.stats_review_time.saved_seconds is 'automatedDecisions × the median decision time.';
comment on column autoexec.stats_review_time.saved_share is
  'automatedDecisions / (automatedDecisions + decisions): the share of review the engine took off the admins.';
comment on column autoexec.stats_review_time.target is 'The PRD''s target share, 0.5.';

create type autoexec.stats_metrics as (
  executions integer,
  succeeded integer,
  failed integer,
  rolled_back integer,
  success_rate float8,
  rollback_rate float8,
  tier1_time_to_execute autoexec.stats_time_to_execute,
  tier2_time_to_execute autoexec.stats_time_to_execute,
  review_time autoexec.stats_review_time
);
comment on type autoexec.stats_metrics is 'PRD-18''s success metrics over the range (live executions).';
comment on column autoexec.stats_metrics.executions is 'Live attempts.';
comment on column autoexec.stats_metrics.succeeded is 'Live attempts that succeeded.';
comment on column autoexec.stats_metrics.failed is 'Live attempts that failed.';
comment on column autoexec.stats_metrics.rolled_back is 'Successful ones rolled back since.';
comment on column autoexec.stats_metrics.success_rate is 'succeeded / executions (4 decimals); null without executions.';
comment on column autoexec.stats_metrics.rollback_rate is 'rolledBack / succeeded (4 decimals); null without successes.';
comment on column autoexec.stats_metrics.tier1_time_to_execute is 'Tier 1 actions the engine ran on its own: proposal to execution.';
comment on column autoexec.stats_metrics.tier2_time_to_execute is 'Tier 2 actions run after approval: approval to execution.';
comment on column autoexec.stats_metrics.review_time is 'Time to an admin''s decision and the review time Tier 1 saved.';

create type autoexec.execution_statistics as (
  range_start timestamptz,
  range_end timestamptz,
  today autoexec.stats_today,
  by_type autoexec.stats_type_counts[],
  metrics autoexec.stats_metrics,
  recent_executions autoexec.execution_logs[]
);
comment on type autoexec.execution_statistics is
  'Execution statistics: today''s counts, per-type counts, PRD-18''s success metrics over a range and its latest executions.';
comment on column autoexec.execution_statistics.range_start is 'The range''s start (included).';
comment on column autoexec.execution_statistics.range_end is 'The range''s end (excluded).';
comment on column autoexec.execution_statistics.today is 'The current UTC day''s executions.';
comment on column autoexec.execution_statistics.by_type is 'Live attempts per action type over the range, by type.';
comment on column autoexec.execution_statistics.metrics is 'The success metrics over the range.';
comment on column autoexec.execution_statistics.recent_executions is
  'The latest executions in the range (recentLimit of them; GraphQL does not keep their order: sort by executedAt).';
