-- A tamper-evident audit trail. The append-only trigger stops the application roles, but a superuser
-- can disable it and edit or delete an event. So every event is chained to the one before it by a
-- SHA-256 hash over its content and the previous hash (as tamper-evident ledgers do), and
-- autoexec.verify_audit_chain() recomputes the chain and reports the first event that no longer
-- matches. The chain is kept beside the events, in the private schema: writing it is the engine's
-- business only (sql/functions/autoexec_private.tg_audit_events__chain.sql).

create table autoexec_private.audit_chain (
  position bigint primary key check (position >= 1),
  event_id bigint not null unique,
  previous_hash bytea not null,
  hash bytea not null check (length(hash) = 32)
);
comment on table autoexec_private.audit_chain is
  'One link per audit event, in commit order: position 1, 2, 3, ... with no gap; hash = '
  'autoexec_private.audit_event_hash(event, position, previous_hash).';
comment on column autoexec_private.audit_chain.previous_hash is
  'The hash of the link before (32 zero bytes for the first), so no event can be removed or moved unnoticed.';

-- Writers lock this one row, at commit, to append their links: concurrent writers keep one linear
-- chain. Nobody else can hold it up: it is not visible to any application role. (Only locked, never
-- updated: a transaction appending thousands of links would otherwise leave thousands of versions of
-- one row to walk through.)
create table autoexec_private.audit_chain_lock (
  id boolean primary key default true check (id)
);
comment on table autoexec_private.audit_chain_lock is 'The row that serialises appends to the audit chain.';
insert into autoexec_private.audit_chain_lock default values;

-- Defined in this migration rather than in sql/functions, which are re-applied and edited: the formula
-- must never change, or every event already chained would stop verifying. A new formula needs a new
-- function and a new migration.
create function autoexec_private.audit_event_hash(e autoexec.audit_events, p_position bigint, p_previous bytea)
returns bytea
language sql stable
as $$
  -- Every field, in a fixed order, as JSON text: jsonb prints the same value the same way whatever the
  -- session's settings; the time is written in UTC explicitly for the same reason. No search_path of
  -- its own (every name is qualified) so that it is inlined: verifying calls it once per event.
  select pg_catalog.sha256(p_previous operator(pg_catalog.||) pg_catalog.convert_to(pg_catalog.jsonb_build_array(
    p_position, e.id,
    pg_catalog.to_char(pg_catalog.timezone('UTC', e.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor, e.action, e.subject_type, e.subject_id, e.old_values, e.new_values, e.note)::text, 'UTF8'));
$$;
comment on function autoexec_private.audit_event_hash(autoexec.audit_events, bigint, bytea) is
  'The hash of an audit event at a position of the chain, after the link whose hash is p_previous.';

-- Chain the events written before this migration, in the order they were written.
do $$
declare
  e autoexec.audit_events;
  v_position bigint := 0;
  v_hash bytea := decode(repeat('00', 32), 'hex');
  v_next bytea;
begin
  for e in select * from autoexec.audit_events order by id loop
    v_position := v_position + 1;
    v_next := autoexec_private.audit_event_hash(e, v_position, v_hash);
    insert into autoexec_private.audit_chain (position, event_id, previous_hash, hash)
    values (v_position, e.id, v_hash, v_next);
    v_hash := v_next;
  end loop;
end
$$;
