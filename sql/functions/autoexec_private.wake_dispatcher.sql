create or replace function autoexec_private.wake_dispatcher(p_at timestamptz default null) returns void
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Schedules the one dispatch_waiting job (its job key makes re-adding it idempotent): now (null, or a
-- time already past), or at p_at unless it is already due by then. A change calls it with no time;
-- the dispatcher and refused executions with the time the next slot frees. security definer: the
-- triggers of the agent's inserts and of admins' changes call it, and neither may touch the queue.
declare
  v_due timestamptz;
begin
  if p_at is null or p_at <= now() then
    perform graphile_worker.add_job('dispatch_waiting', '{}'::json, job_key => 'autoexec:dispatch_waiting',
      max_attempts => 25);
    return;
  end if;
  select j.run_at into v_due from graphile_worker.jobs j
  where j.key = 'autoexec:dispatch_waiting' and j.locked_at is null;
  if v_due is null or v_due > p_at then
    perform graphile_worker.add_job('dispatch_waiting', '{}'::json, run_at => p_at,
      job_key => 'autoexec:dispatch_waiting', max_attempts => 25);
  end if;
end;
$$;
comment on function autoexec_private.wake_dispatcher(timestamptz) is
  'Schedules the dispatcher of the waiting line now, or at a time unless it runs earlier anyway.';
