create or replace function autoexec_private.expire_undecided() returns integer
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Tier 2 proposals nobody approved or rejected within settings.pending_ttl end EXPIRED, so the queue
-- holds what is still worth deciding. The time counts from the proposal or, for an approval the
-- content moved on from, from its return for review (undecided_since). Returns how many.
declare
  v_expired integer;
begin
  with undecided as (
    -- created_at first: undecided_since is never earlier, and the index finds these.
    select a.id, autoexec_private.undecided_since(a.id, a.created_at) as since
    from autoexec.actions a, autoexec.settings s
    where a.status = 'PENDING' and a.execution_tier = 2 and a.created_at <= now() - s.pending_ttl
  )
  update autoexec.actions a set
    status = 'EXPIRED',
    status_reason = 'nobody approved or rejected it within ' || s.pending_ttl || ' of '
      || case when u.since > a.created_at then 'its return for review at ' else 'its proposal at ' end
      || autoexec_private.format_time(u.since) || ' (settings.pending_ttl)',
    deferred_until = null
  from undecided u, autoexec.settings s
  where a.id = u.id and a.status = 'PENDING' and u.since <= now() - s.pending_ttl;
  get diagnostics v_expired = row_count;
  return v_expired;
end;
$$;
comment on function autoexec_private.expire_undecided() is
  'Expires Tier 2 proposals left undecided for longer than settings.pending_ttl; returns how many.';
