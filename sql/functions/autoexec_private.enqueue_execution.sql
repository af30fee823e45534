create or replace function autoexec_private.enqueue_execution(p_action_id bigint, p_run_at timestamptz default null)
returns void
language sql volatile
security definer
set search_path = pg_catalog
as $$
  -- One job per action: the job key makes a second enqueue replace the waiting job, not add one.
  -- security definer: the roles that reschedule (the executor, the agent's triggers) have no access to
  -- graphile-worker's tables; they enqueue through this function only.
  select graphile_worker.add_job(
    'execute_action',
    json_build_object('actionId', p_action_id),
    run_at => coalesce(p_run_at, now()),
    job_key => 'execute_action:' || p_action_id,
    max_attempts => autoexec_private.execution_job_max_attempts()
  );
$$;
comment on function autoexec_private.enqueue_execution(bigint, timestamptz) is
  'Schedules the execute_action job of an action, in the caller''s transaction.';
