-- Workers announce themselves here every few seconds, so /readyz can tell whether any worker runs
-- (the server's login cannot see other sessions in pg_stat_activity).
create table autoexec_private.worker_heartbeats (
  worker_id text primary key,
  hostname text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  seen_at timestamptz not null default now()
);
comment on table autoexec_private.worker_heartbeats is 'Worker processes alive recently (one row per graphile-worker pool).';
