create or replace function autoexec_private.lock_action_for_decision(
  p_action_id bigint, p_allowed_statuses text[], p_decision text
) returns autoexec.actions
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The start of every admin decision on an action (approve, reject, mark implemented): lock it, so two
-- admins deciding at once are serialised, and refuse with a readable reason when it is not in a state
-- the decision applies to.
declare
  a autoexec.actions;
begin
  select * into a from autoexec.actions where id = p_action_id for update;
  if not found then
    raise exception 'action % not found', p_action_id using errcode = 'AE004';
  end if;
  if not a.status = any(p_allowed_statuses) then
    raise exception 'action % is % (%), only a % action can be %', a.id, a.status,
      coalesce(a.reviewed_by || ' at ' || autoexec_private.format_time(a.reviewed_at), a.status_reason, 'no detail'),
      array_to_string(p_allowed_statuses, ' or '), p_decision
      using errcode = 'AE005';
  end if;
  return a;
end;
$$;
comment on function autoexec_private.lock_action_for_decision(bigint, text[], text) is
  'Locks an action for an admin decision, refusing (with the reason) when its status does not allow it.';
