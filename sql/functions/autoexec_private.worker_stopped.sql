create or replace function autoexec_private.worker_stopped(p_worker_id text) returns void
language sql volatile
security definer
set search_path = pg_catalog
as $$
  delete from autoexec_private.worker_heartbeats where worker_id = p_worker_id;
$$;
comment on function autoexec_private.worker_stopped(text) is 'Forgets a worker that shut down cleanly.';
