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
  -- Actions waiting in batch jobs (see enqueue_executions): those jobs carry no per-action key, so
  -- their payloads are read. The public jobs view leaves payloads out, hence graphile-worker's table.
  -- Items without a whole-number actionId (a job added by hand) name no action and are skipped: a null
  -- here would make "<> all" exclude every action.
  v_in_batches bigint[] := array(
    select (item ->> 'actionId')::bigint
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    cross join lateral json_array_elements(case json_typeof(j.payload) when 'array' then j.payload else '[]' end) item
    where t.identifier = 'execute_action' and (item ->> 'actionId') ~ '^\d{1,18}$'
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
      and not exists (select from graphile_worker.jobs j where j.key = 'execute_action:' || a.id)
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
