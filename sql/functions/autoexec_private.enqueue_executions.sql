create or replace function autoexec_private.enqueue_executions(p_action_ids bigint[]) returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Schedules the actions one statement inserted. A single action gets its own keyed job, as
-- enqueue_execution gives every other enqueue. Several go in graphile-worker batch jobs of up to 25:
-- a job costs the queue two round trips and two commits whatever it carries, which with one job per
-- action was most of an execution's cost (docs/BENCHMARKS.md). Each action still executes in its own
-- transaction, and only the ones that fail are retried (with the batch job's backoff). 25 keeps a
-- batch's last action within about 50 ms of its first. A batch's job key names its actions
-- ('execute_actions:<id>,<id>,…'): the sweep reads it from graphile-worker's public jobs view to tell
-- which actions have a job (enqueue_eligible), without reading payloads from its private tables.
begin
  if cardinality(p_action_ids) = 1 then
    perform autoexec_private.enqueue_execution(p_action_ids[1]);
  elsif cardinality(p_action_ids) > 1 then
    perform graphile_worker.add_job('execute_action', batch.payload, job_key => batch.job_key,
      max_attempts => autoexec_private.execution_job_max_attempts())
    from (
      select json_agg(json_build_object('actionId', ids.id) order by ids.n) as payload,
        'execute_actions:' || string_agg(ids.id::text, ',' order by ids.n) as job_key
      from unnest(p_action_ids) with ordinality as ids (id, n)
      group by (ids.n - 1) / 25
    ) batch;
  end if;
end;
$$;
comment on function autoexec_private.enqueue_executions(bigint[]) is
  'Schedules the execution of actions inserted together: one keyed job for one action, batch jobs of up to 25 for more.';
