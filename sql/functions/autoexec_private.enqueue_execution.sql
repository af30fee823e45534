create or replace function autoexec_private.enqueue_execution(p_action_id bigint, p_run_at timestamptz default null)
returns void
language sql volatile
set search_path = pg_catalog
as $$
  -- One job per action: the job key makes a second enqueue replace the waiting job, not add one.
  select graphile_worker.add_job(
    'execute_action',
    json_build_object('actionId', p_action_id),
    run_at => coalesce(p_run_at, now()),
    job_key => 'execute_action:' || p_action_id,
    max_attempts => 25
  );
$$;
comment on function autoexec_private.enqueue_execution(bigint, timestamptz) is
  'Schedules the execute_action job of an action, in the caller''s transaction.';
