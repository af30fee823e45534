create or replace function autoexec_private.execution_job_max_attempts() returns smallint
language sql immutable parallel safe
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- The highest max_attempts graphile-worker takes (a smallint). The engine's one retry budget is
  -- settings.max_attempts, counted in actions.execution_attempts: a failure it records as the last
  -- completes the job. What reaches graphile-worker's own count is only what recorded nothing (a lock
  -- timeout, a crash, a lost connection) and is worth trying again, so the job never gives up first.
  select 32767::smallint;
$$;
comment on function autoexec_private.execution_job_max_attempts() is
  'max_attempts of every execute_action job: high enough that only settings.max_attempts ends an action.';
