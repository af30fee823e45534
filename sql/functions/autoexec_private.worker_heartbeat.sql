create or replace function autoexec_private.worker_heartbeat(p_worker_id text, p_hostname text, p_pid integer)
returns void
language sql volatile
security definer
set search_path = pg_catalog
as $$
  insert into autoexec_private.worker_heartbeats (worker_id, hostname, pid) values (p_worker_id, p_hostname, p_pid)
  on conflict (worker_id) do update set seen_at = now();
  -- Rows of workers gone for a day are of no further use.
  delete from autoexec_private.worker_heartbeats where seen_at < now() - interval '1 day';
$$;
comment on function autoexec_private.worker_heartbeat(text, text, integer) is
  'Records that a worker process is alive (called every few seconds by each worker).';
