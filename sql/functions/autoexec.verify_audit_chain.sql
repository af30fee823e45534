create or replace function autoexec.verify_audit_chain(anchor_position bigint default null, anchor_hash text default null)
returns table (
  valid boolean, links_checked bigint, first_bad_event_id bigint, first_bad_position bigint, problem text,
  head_position bigint, head_hash text
)
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- Recomputes every link of the audit chain and reports the first one (by position) whose event's
-- content, position or presence no longer matches what was written, in one pass over the chain.
-- Security definer: the chain lives in the private schema; the auditor sees only the verdict.
declare
  genesis constant bytea := decode(repeat('00', 32), 'hex');
  bad record;
  v_problem text;
  v_last_position bigint;
  v_last_hash bytea;
  v_stray bigint;
begin
  select l.* into bad
  from (
    select c.position, c.event_id, c.previous_hash, c.hash, e.id is not null as present, e as event,
      row_number() over w as expected_position,
      coalesce(lag(c.hash) over w, genesis) as previous_link_hash
    from autoexec_private.audit_chain c
    left join autoexec.audit_events e on e.id = c.event_id
    window w as (order by c.position)
  ) l
  where l.position <> l.expected_position
     or l.previous_hash <> l.previous_link_hash
     or not l.present
     or autoexec_private.audit_event_hash(l.event, l.position, l.previous_hash) <> l.hash
     or (l.position = anchor_position and encode(l.hash, 'hex') <> lower(anchor_hash))
  order by l.position
  limit 1;

  if bad.position is not null then
    v_problem := case
      when bad.position <> bad.expected_position then
        'the link at position ' || bad.expected_position || ' is missing: events were removed before event '
          || bad.event_id
      when bad.previous_hash <> bad.previous_link_hash then
        'event ' || bad.event_id || ' does not follow the event before it: the order was changed or an event '
          || 'was removed'
      when not bad.present then 'event ' || bad.event_id || ' was deleted'
      when autoexec_private.audit_event_hash(bad.event, bad.position, bad.previous_hash) <> bad.hash then
        'event ' || bad.event_id || ' was changed after it was written'
      else 'the chain was rewritten: position ' || bad.position || ' no longer has the hash recorded for it'
    end;
    -- The last good link is the one before.
    return query select false, bad.expected_position - 1, bad.event_id, bad.position, v_problem,
      bad.expected_position - 1, encode(bad.previous_link_hash, 'hex');
    return;
  end if;

  -- Every link is whole, so positions run 1..n and the last link is the head.
  select c.position, c.hash into v_last_position, v_last_hash
  from autoexec_private.audit_chain c order by c.position desc limit 1;
  v_last_position := coalesce(v_last_position, 0);
  v_last_hash := coalesce(v_last_hash, genesis);
  if anchor_position > v_last_position then
    v_problem := 'the chain ends at position ' || v_last_position || ', before the recorded position '
      || anchor_position || ': events were removed';
  else
    -- An event the chain does not know was written with the chain's trigger disabled.
    select min(e.id) into v_stray from autoexec.audit_events e
    where not exists (select from autoexec_private.audit_chain c where c.event_id = e.id);
    if v_stray is not null then
      v_problem := 'event ' || v_stray || ' is not in the chain: it was written with the chain''s trigger disabled';
    end if;
  end if;
  return query select v_problem is null, v_last_position, v_stray, null::bigint, v_problem, v_last_position,
    encode(v_last_hash, 'hex');
end;
$$;
comment on function autoexec.verify_audit_chain(bigint, text) is
  E'@behavior -queryField -mutationField\n'
  'Checks the tamper-evident audit chain and reports the first event whose content or order was changed, '
  'or that was removed or slipped in. Record head_position and head_hash (the last link) elsewhere now and '
  'then, and pass them later as the anchor: that also catches events removed from the end and a chain '
  'recomputed from scratch.';
revoke all on function autoexec.verify_audit_chain(bigint, text) from public;
grant execute on function autoexec.verify_audit_chain(bigint, text) to autoexec_auditor;
