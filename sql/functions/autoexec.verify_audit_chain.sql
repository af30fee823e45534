create or replace function autoexec.verify_audit_chain(anchor_position bigint default null, anchor_hash text default null)
returns table (
  valid boolean, links_checked bigint, first_bad_event_id bigint, first_bad_position bigint, problem text,
  head_position bigint, head_hash text
)
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- Walks the audit chain from the first link, recomputing each event's hash, and stops at the first
-- event whose content, position or presence no longer matches what was written. Security definer: the
-- chain lives in the private schema; the auditor sees only the verdict.
declare
  r record;
  v_expected bigint := 1;
  v_previous bytea := decode(repeat('00', 32), 'hex');
  h autoexec_private.audit_chain_head;
  v_problem text;
  v_event bigint;
  v_position bigint;
  v_stray bigint;
begin
  select * into h from autoexec_private.audit_chain_head;
  for r in
    select c.position, c.event_id, c.previous_hash, c.hash, e as event, e.id is not null as present
    from autoexec_private.audit_chain c
    left join autoexec.audit_events e on e.id = c.event_id
    order by c.position
  loop
    v_event := r.event_id;
    v_position := r.position;
    if r.position <> v_expected then
      v_problem := 'the link at position ' || v_expected || ' is missing: events were removed before event '
        || r.event_id;
    elsif r.previous_hash <> v_previous then
      v_problem := 'event ' || r.event_id || ' does not follow the event before it: the order was changed or '
        || 'an event was removed';
    elsif not r.present then
      v_problem := 'event ' || r.event_id || ' was deleted';
    elsif autoexec_private.audit_event_hash(r.event, r.position, v_previous) <> r.hash then
      v_problem := 'event ' || r.event_id || ' was changed after it was written';
    elsif r.position = anchor_position and encode(r.hash, 'hex') <> lower(anchor_hash) then
      v_problem := 'the chain was rewritten: position ' || r.position || ' no longer has the hash recorded for it';
    end if;
    if v_problem is not null then
      return query select false, v_expected - 1, v_event, v_position, v_problem, h.position, encode(h.hash, 'hex');
      return;
    end if;
    v_previous := r.hash;
    v_expected := v_expected + 1;
  end loop;

  if h.position <> v_expected - 1 or h.hash <> v_previous then
    v_problem := 'the chain ends at position ' || (v_expected - 1) || ' but its head is at position ' || h.position
      || ': the last events were removed';
  elsif anchor_position > v_expected - 1 then
    v_problem := 'the chain ends at position ' || (v_expected - 1) || ', before the recorded position '
      || anchor_position || ': events were removed';
  else
    -- An event the chain does not know was written with the chain's trigger disabled.
    select min(e.id) into v_stray from autoexec.audit_events e
    where not exists (select from autoexec_private.audit_chain c where c.event_id = e.id);
    if v_stray is not null then
      v_problem := 'event ' || v_stray || ' is not in the chain: it was written with the chain''s trigger disabled';
    end if;
  end if;
  return query select v_problem is null, v_expected - 1, v_stray, null::bigint, v_problem, h.position,
    encode(h.hash, 'hex');
end;
$$;
comment on function autoexec.verify_audit_chain(bigint, text) is
  E'@behavior -queryField -mutationField\n'
  'Checks the tamper-evident audit chain and reports the first event whose content or order was changed, '
  'or that was removed or slipped in. Record head_position and head_hash elsewhere now and then, and pass '
  'them later as the anchor: that also catches a chain recomputed from scratch.';
revoke all on function autoexec.verify_audit_chain(bigint, text) from public;
grant execute on function autoexec.verify_audit_chain(bigint, text) to autoexec_auditor;
