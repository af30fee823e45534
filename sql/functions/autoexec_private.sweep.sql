create or replace function autoexec_private.sweep() returns jsonb
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The every-minute crontab task: ends stale actions and enqueues whatever may run and has no job.
declare
  v_expired integer;
begin
  update autoexec.actions a set
    status = 'EXPIRED',
    status_reason = autoexec_private.expiry_reason(a),
    deferred_until = null
  where a.status in ('PENDING', 'APPROVED') and a.expires_at <= now();
  get diagnostics v_expired = row_count;
  return jsonb_build_object('expired', v_expired, 'enqueued', autoexec_private.enqueue_eligible());
end;
$$;
comment on function autoexec_private.sweep() is 'Expires stale actions and enqueues eligible ones that have no job.';
