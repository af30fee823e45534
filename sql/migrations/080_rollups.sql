-- Rollups (issue 15 part 4): the stats, the review-time metrics, the history charts and /metrics read
-- these instead of scanning the execution log and the actions, so their cost does not grow with them.
--
-- Nothing in an execution transaction touches a shared row: triggers append one row per change to a
-- journal (no index, no key: an insert nobody waits for), and a crontab task folds the journal into
-- the rollups, deleting what it folded in the same transaction. A change is in the journal exactly
-- when its transaction committed, so late commits, rollbacks and concurrent workers are counted once;
-- readers add the journal's unfolded rows to the rollups. docs/operations.md, "Rollups".

create table autoexec_private.rollup_journal (
  kind text not null check (kind in ('executed', 'rolled_back', 'decided')),
  subject_id bigint not null
);
comment on table autoexec_private.rollup_journal is
  'Changes not folded into the rollups yet: one row per execution log written, per rollback recorded and '
  'per admin decision audited. autoexec_private.fold_rollups() empties it.';
comment on column autoexec_private.rollup_journal.kind is
  'executed (a new execution log), rolled_back (a log''s rollback was recorded) or decided (an audit event '
  'of an approval or rejection).';
comment on column autoexec_private.rollup_journal.subject_id is
  'The execution log''s id (executed, rolled_back) or the audit event''s id (decided).';

-- Readers scan the journal whole: vacuum it as soon as a fold has left a few thousand dead rows.
alter table autoexec_private.rollup_journal set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

create table autoexec_private.action_count_journal (
  status text not null,
  execution_tier smallint not null,
  delta integer not null
);
comment on table autoexec_private.action_count_journal is
  'Changes to the number of actions per status and tier not folded into action_counts yet.';
comment on column autoexec_private.action_count_journal.status is 'The status counted.';
comment on column autoexec_private.action_count_journal.execution_tier is 'The tier counted.';
comment on column autoexec_private.action_count_journal.delta is '+1 or -1 (more when a rebuild adds whole counts).';

create table autoexec_private.action_counts (
  status text not null,
  execution_tier smallint not null,
  count bigint not null,
  primary key (status, execution_tier)
);
alter table autoexec_private.action_count_journal set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

comment on table autoexec_private.action_counts is
  'How many actions have each status and tier, as of the last fold (add action_count_journal for now).';
comment on column autoexec_private.action_counts.status is 'The actions'' status.';
comment on column autoexec_private.action_counts.execution_tier is 'The actions'' tier.';
comment on column autoexec_private.action_counts.count is 'How many actions.';

create table autoexec_private.execution_rollups (
  granularity text not null check (granularity in ('hour', 'day', 'month')),
  bucket_start timestamptz not null,
  action_type text not null,
  execution_tier smallint not null,
  mode text not null,
  executed_by text not null check (executed_by in ('auto', 'approved', 'manual')),
  success boolean not null,
  attempt integer not null,
  executions bigint not null,
  rolled_back bigint not null,
  duration_ms_sum bigint not null,
  primary key (granularity, bucket_start, action_type, execution_tier, mode, executed_by, success, attempt)
);
comment on table autoexec_private.execution_rollups is
  'Execution logs counted per UTC hour, day and month of executed_at and per kind of execution. '
  'Exact: the figures equal counts over the raw log (autoexec_private.check_rollups()).';
comment on column autoexec_private.execution_rollups.granularity is 'hour, day or month: the bucket''s width.';
comment on column autoexec_private.execution_rollups.bucket_start is 'The bucket''s first instant (UTC boundaries).';
comment on column autoexec_private.execution_rollups.action_type is 'The logs'' action type.';
comment on column autoexec_private.execution_rollups.execution_tier is 'The logs'' tier.';
comment on column autoexec_private.execution_rollups.mode is 'live or dry_run.';
comment on column autoexec_private.execution_rollups.executed_by is
  'auto, approved, or manual (the log names a person).';
comment on column autoexec_private.execution_rollups.success is 'Whether the attempts succeeded.';
comment on column autoexec_private.execution_rollups.attempt is
  'The attempt number of failed attempts (what /metrics'' retries needs); 0 for successes.';
comment on column autoexec_private.execution_rollups.executions is 'How many logs.';
comment on column autoexec_private.execution_rollups.rolled_back is 'How many of them have been rolled back.';
comment on column autoexec_private.execution_rollups.duration_ms_sum is 'The sum of their duration_ms.';

create table autoexec_private.histogram_rollups (
  granularity text not null check (granularity in ('hour', 'day', 'month')),
  bucket_start timestamptz not null,
  metric text not null check (metric in ('tier1_to_execute', 'tier2_to_execute', 'decision', 'duration')),
  label text not null,
  bin smallint not null,
  count bigint not null,
  primary key (granularity, bucket_start, metric, label, bin)
);
comment on table autoexec_private.histogram_rollups is
  'Histograms per UTC hour, day and month, mergeable by adding counts: times to execute and to decide '
  '(autoexec_private.latency_bin, precision 4.4 %) and handler durations (/metrics'' bucket bounds).';
comment on column autoexec_private.histogram_rollups.granularity is 'hour, day or month: the bucket''s width.';
comment on column autoexec_private.histogram_rollups.bucket_start is 'The bucket''s first instant (UTC boundaries).';
comment on column autoexec_private.histogram_rollups.metric is
  'tier1_to_execute (proposal to automatic execution), tier2_to_execute (approval to execution), decision '
  '(proposal to an admin''s approval or rejection; bucketed by the decision''s time) or duration (duration_ms).';
comment on column autoexec_private.histogram_rollups.label is
  'The action type for decision, the mode for duration, empty otherwise.';
comment on column autoexec_private.histogram_rollups.bin is
  'The bin: autoexec_private.latency_bin for times, the index of the first bound it fits for durations.';
comment on column autoexec_private.histogram_rollups.count is 'How many values fell into the bin.';

create table autoexec_private.rollup_state (
  id boolean primary key default true check (id),
  built_at timestamptz,
  folded_at timestamptz
);
comment on table autoexec_private.rollup_state is 'When the rollups were last rebuilt and folded (one row).';
comment on column autoexec_private.rollup_state.id is 'Always true: the table holds one row.';
comment on column autoexec_private.rollup_state.built_at is
  'When autoexec_private.rebuild_rollups() last recomputed them from the raw tables; null: not yet '
  '(npm run migrate builds them).';
comment on column autoexec_private.rollup_state.folded_at is 'When the journal was last folded.';
insert into autoexec_private.rollup_state default values;

