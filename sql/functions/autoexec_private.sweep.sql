create or replace function autoexec_private.sweep() returns jsonb
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The every-minute crontab task: frees jobs held by dead workers, ends stale actions, enqueues whatever
-- may run and has no job, and wakes the dispatcher while actions wait (a safety net: a change or a
-- freed slot wakes it anyway; this bounds what a lost wake-up can cost to a minute).
declare
  v_expired integer;
  v_dead_workers text[];
begin
  select array_agg(distinct j.locked_by) into v_dead_workers
  from graphile_worker.jobs j
  where j.locked_at < now() - (select stale_job_after from autoexec.settings);
  if v_dead_workers is not null then
    perform graphile_worker.force_unlock_workers(v_dead_workers);
  end if;

  update autoexec.actions a set
    status = 'EXPIRED',
    status_reason = autoexec_private.expiry_reason(a),
    deferred_until = null
  where a.status in ('PENDING', 'APPROVED') and a.expires_at <= now();
  get diagnostics v_expired = row_count;
  v_expired := v_expired + autoexec_private.expire_undecided();
  if exists (select from autoexec.actions a where a.wait_kind in ('line', 'dispatched', 'until', 'hold')) then
    perform autoexec_private.wake_dispatcher();
  end if;
  return jsonb_build_object('expired', v_expired, 'enqueued', autoexec_private.enqueue_eligible(),
    'unlockedWorkers', coalesce(cardinality(v_dead_workers), 0));
end;
$$;
comment on function autoexec_private.sweep() is
  'Unlocks jobs of dead workers, expires stale actions and enqueues eligible ones that have no job.';
