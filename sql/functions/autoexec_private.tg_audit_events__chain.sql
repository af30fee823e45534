create or replace function autoexec_private.tg_audit_events__chain() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Appends the new event to the audit chain. It runs at commit (a deferred constraint trigger), so the
-- chain's lock is the last lock its transaction takes and is held only while it commits: writers of
-- audit events queue here for an instant instead of deadlocking over their other locks, and the
-- chain's order is the order in which they committed.
-- (In REPEATABLE READ a writer cannot see a link committed after its snapshot; the primary key then
-- refuses its duplicate position, so the chain stays linear and that commit fails, to be retried.)
declare
  v_position bigint;
  v_previous bytea;
  v_hash bytea;
begin
  perform from autoexec_private.audit_chain_lock for update;
  select c.position, c.hash into v_position, v_previous
  from autoexec_private.audit_chain c order by c.position desc limit 1;
  v_position := coalesce(v_position, 0) + 1;
  v_previous := coalesce(v_previous, decode(repeat('00', 32), 'hex'));
  v_hash := autoexec_private.audit_event_hash(new, v_position, v_previous);
  insert into autoexec_private.audit_chain (position, event_id, previous_hash, hash)
  values (v_position, new.id, v_previous, v_hash);
  return null;
end;
$$;
comment on function autoexec_private.tg_audit_events__chain() is
  'Links a new audit event into the tamper-evident audit chain (at commit).';

-- A constraint trigger has no CREATE OR REPLACE.
drop trigger if exists _800_chain on autoexec.audit_events;
create constraint trigger _800_chain after insert on autoexec.audit_events
  deferrable initially deferred
  for each row execute function autoexec_private.tg_audit_events__chain();
