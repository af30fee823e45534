create or replace function autoexec_private.enqueue_eligible(p_limit integer default 1000) returns integer
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Enqueues actions that may run now, do not wait (wait_kind is null: waiting ones are the dispatcher's)
-- and have no job: a job was lost. The every-minute sweep calls it. Runs in the caller's transaction.
declare
  v_count integer := 0;
  v_action_id bigint;
  -- Actions waiting in batch jobs (see enqueue_executions), read from the batch's job key: graphile-
  -- worker's public jobs view leaves payloads out. The key names the actions the batch was made with;
  -- one that has had its turn stays named until the batch job ends, which costs nothing: it is not
  -- eligible meanwhile unless something else enqueued it, which gave it its own job. A job that can
  -- run no more (permanently failed, by hand or by a worker that never came back) is no job at all.
  v_in_batches bigint[] := array(
    select unnest(string_to_array(substr(j.key, length('execute_actions:') + 1), ','))::bigint
    from graphile_worker.jobs j
    where j.task_identifier = 'execute_action' and j.key ~ '^execute_actions:\d{1,18}(,\d{1,18})*$'
      and (j.locked_at is not null or j.attempts < j.max_attempts)
  );
begin
  for v_action_id in
    select a.id
    from autoexec.actions a
    join autoexec.action_types t on t.type = a.type
    cross join autoexec.settings s
    cross join autoexec.engine_state e
    where s.enabled and not e.breaker_open and t.mode <> 'disabled'
      and a.wait_kind is null
      and a.execution_attempts < s.max_attempts
      and (a.expires_at is null or a.expires_at > now())
      and (
        (a.status = 'PENDING' and a.execution_tier = 1
          and a.confidence > s.min_confidence and a.estimated_revenue_impact > s.min_revenue_impact)
        or (a.status = 'APPROVED' and a.execution_tier < 3)
      )
      and not ((s.dry_run or t.mode = 'dry_run') and exists (
        select from autoexec.execution_logs l where l.action_id = a.id and l.mode = 'dry_run' and l.success
      ))
      and not exists (select from graphile_worker.jobs j where j.key = 'execute_action:' || a.id
                        and (j.locked_at is not null or j.attempts < j.max_attempts))
      and a.id <> all(v_in_batches)
    order by a.created_at
    limit p_limit
  loop
    perform autoexec_private.enqueue_execution(v_action_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function autoexec_private.enqueue_eligible(integer) is
  'Enqueues the execution of every action that may run now and has no job.';
