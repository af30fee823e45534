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
