alter table autoexec.settings
  add column stale_job_after interval not null default '10 minutes' check (stale_job_after >= '1 second');
comment on column autoexec.settings.stale_job_after is
  'A job still locked after this long belongs to a worker that died (executions take milliseconds): the sweep '
  'unlocks it so another worker runs it, instead of graphile-worker''s 4-hour default.';
