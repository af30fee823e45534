-- The executor (what the worker and the API server's execute and rollback routes run as) no longer
-- touches graphile-worker's tables: it enqueues only through the engine's security definer functions
-- (enqueue_execution, enqueue_executions, wake_dispatcher), which call graphile-worker's public
-- add_job. So its grants and row-level security policies on graphile-worker's private tables, given
-- by 005, go.
--
-- The worker keeps what it needs, now in its own name: graphile-worker's runner reads and writes its
-- private tables with its own SQL (taking, completing and failing jobs; the crontab's bookkeeping), so
-- the role that runs it must see their rows. graphile-worker enables row-level security on them with
-- no policy (only the owner sees rows), and the worker neither owns them nor bypasses row-level
-- security (005), so it needs a policy on each. docs/architecture.md says why it is so.
drop policy autoexec_engine on graphile_worker._private_jobs;
drop policy autoexec_engine on graphile_worker._private_tasks;
drop policy autoexec_engine on graphile_worker._private_job_queues;
revoke select, insert, update on graphile_worker._private_tasks, graphile_worker._private_job_queues,
  graphile_worker._private_jobs from autoexec_executor;
revoke execute on function graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[],
  text), graphile_worker.add_jobs(graphile_worker.job_spec[], boolean) from autoexec_executor;
revoke usage on schema graphile_worker from autoexec_executor;

grant usage on schema graphile_worker to autoexec_worker;
create policy autoexec_engine on graphile_worker._private_jobs for all to autoexec_worker using (true)
  with check (true);
create policy autoexec_engine on graphile_worker._private_tasks for all to autoexec_worker using (true)
  with check (true);
create policy autoexec_engine on graphile_worker._private_job_queues for all to autoexec_worker using (true)
  with check (true);
