create or replace function autoexec_private.expire_undecided() returns integer
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Tier 2 proposals nobody approved or rejected within settings.pending_ttl end EXPIRED, so the queue
-- holds what is still worth deciding. Returns how many.
declare
  v_expired integer;
begin
  update autoexec.actions a set
    status = 'EXPIRED',
    status_reason = 'nobody approved or rejected it within ' || s.pending_ttl || ' of its proposal at '
      || autoexec_private.format_time(a.created_at) || ' (settings.pending_ttl)',
    deferred_until = null
  from autoexec.settings s
  where a.status = 'PENDING' and a.execution_tier = 2 and a.created_at <= now() - s.pending_ttl;
  get diagnostics v_expired = row_count;
  return v_expired;
end;
$$;
comment on function autoexec_private.expire_undecided() is
  'Expires Tier 2 proposals left undecided for longer than settings.pending_ttl; returns how many.';
