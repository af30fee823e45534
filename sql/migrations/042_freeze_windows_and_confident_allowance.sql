-- Freeze windows: a change calendar, as operators keep for deploys (a sale week, a site migration). While
-- one is active nothing executes automatically (approved actions wait for its end too); forced
-- executions still run. docs/waiting.md, "Freeze windows".
create table autoexec.freeze_windows (
  id bigint generated always as identity primary key,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  reason text not null check (btrim(reason) <> ''),
  created_by text not null,
  created_at timestamptz not null default now(),
  cancelled_at timestamptz,
  cancelled_by text,
  cancel_reason text,
  constraint freeze_windows_ends_after_start check (ends_at > starts_at),
  constraint freeze_windows_cancel_complete check ((cancelled_at is null) = (cancelled_by is null))
);
create index freeze_windows_open_idx on autoexec.freeze_windows (ends_at) where cancelled_at is null;
comment on table autoexec.freeze_windows is
  'Windows when automatic execution waits (with a reason): approvals made during one run after it unless forced.';
comment on column autoexec.freeze_windows.reason is 'Why (a sale week, a site migration); shown in every waiting action''s reason.';
comment on column autoexec.freeze_windows.cancelled_at is 'An admin ended or withdrew the window (audited).';
grant select on autoexec.freeze_windows to autoexec_viewer, autoexec_executor;

-- PRD rollout phase 3, "increase rate limits based on confidence": actions whose confidence is at or
-- above confident_min_confidence have an allowance of their own (confident_hourly_limit and
-- confident_daily_limit, counted over their own executions) instead of hourly_limit and daily_limit.
alter table autoexec.settings
  add column confident_min_confidence numeric check (confident_min_confidence between 0 and 1),
  add column confident_hourly_limit integer check (confident_hourly_limit >= 0),
  add column confident_daily_limit integer check (confident_daily_limit >= 0);
comment on column autoexec.settings.confident_min_confidence is
  'Tier 1 actions with confidence at or above this use the confident allowance (null: no such allowance).';
comment on column autoexec.settings.confident_hourly_limit is
  'Live executions per rolling hour of confident actions (their own window; null: hourly_limit).';
comment on column autoexec.settings.confident_daily_limit is
  'Live executions per rolling 24 hours of confident actions (their own window; null: daily_limit).';

alter table autoexec.execution_logs
  add column allowance text check (allowance in ('confident'));
comment on column autoexec.execution_logs.allowance is
  'Which rate-limit allowance an automatic execution used: null (hourly_limit / daily_limit) or confident.';
grant insert (allowance) on autoexec.execution_logs to autoexec_executor;
