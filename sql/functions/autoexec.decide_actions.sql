create or replace function autoexec.decide_actions(decision text, action_ids bigint[], note text default null)
returns setof autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- One admin decision on many actions: approve, reject (note is the reason) or retry. All or nothing:
-- if one cannot be decided, the error names it and none is. The audit trail gets ONE event
-- (actions.approved / actions.rejected / actions.retried, subject action_batch) listing the actions,
-- not one per action; autoexec.action_history still shows it on each action's timeline.
declare
  v_ids bigint[];
  v_id bigint;
  a autoexec.actions;
  v_statuses jsonb := '{}';
begin
  if decision is null or decision not in ('approve', 'reject', 'retry') then
    raise exception 'decision is approve, reject or retry, got "%"', coalesce(decision, 'null') using errcode = 'AE001';
  end if;
  -- In the order given, each once.
  select coalesce(array_agg(id order by n), '{}') into v_ids
  from (select distinct on (id) id, n from unnest(action_ids) with ordinality u(id, n) where id is not null
        order by id, n) t;
  if cardinality(v_ids) = 0 then
    raise exception 'no actions to %', decision using errcode = 'AE001';
  end if;
  if cardinality(v_ids) > 10000 then
    raise exception 'at most 10,000 actions per decision, got %', cardinality(v_ids) using errcode = 'AE003';
  end if;
  -- The single-action functions below do the work; their own audit events are folded into this one.
  perform set_config('autoexec.audit_batch', 'on', true);
  foreach v_id in array v_ids loop
    a := case decision
      when 'approve' then autoexec.approve_action(v_id, note)
      when 'reject' then autoexec.reject_action(v_id, note)
      else autoexec.retry_action(v_id, note) end;
    v_statuses := v_statuses || jsonb_build_object(a.status, coalesce((v_statuses ->> a.status)::integer, 0) + 1);
    return next a;
  end loop;
  perform set_config('autoexec.audit_batch', '', true);
  perform autoexec_private.audit(
    case decision when 'approve' then 'actions.approved' when 'reject' then 'actions.rejected' else 'actions.retried' end,
    'action_batch', null, null,
    jsonb_build_object('actionIds', to_jsonb(v_ids), 'count', cardinality(v_ids), 'statuses', v_statuses), note);
end;
$$;
comment on function autoexec.decide_actions(text, bigint[], text) is
  'Approves, rejects (note = reason) or retries many actions in one audited decision (admins only).';
revoke all on function autoexec.decide_actions(text, bigint[], text) from public;
grant execute on function autoexec.decide_actions(text, bigint[], text) to autoexec_admin;
