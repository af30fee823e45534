create or replace function autoexec.reject_action(action_id bigint, reason text)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  a autoexec.actions;
  v_old_status text;
begin
  if coalesce(btrim(reason), '') = '' then
    raise exception 'a reason is required to reject an action' using errcode = '22023';
  end if;
  select * into a from autoexec.actions where id = reject_action.action_id for update;
  if not found then
    raise exception 'action % not found', reject_action.action_id using errcode = 'P0002';
  end if;
  if a.status not in ('PENDING', 'APPROVED') then
    raise exception 'action % is %, only a PENDING or APPROVED action can be rejected', a.id, a.status
      using errcode = '55000';
  end if;
  v_old_status := a.status;
  update autoexec.actions set
    status = 'REJECTED',
    reviewed_by = autoexec_private.current_actor(),
    reviewed_at = now(),
    review_note = reason,
    status_reason = 'rejected: ' || reason,
    deferred_until = null
  where id = a.id
  returning * into a;
  perform autoexec_private.audit('action.rejected', 'action', a.id::text, jsonb_build_object('status', v_old_status),
    jsonb_build_object('status', 'REJECTED'), reason);
  return a;
end;
$$;
comment on function autoexec.reject_action(bigint, text) is 'Rejects a pending or approved action, with a reason (admins only).';
revoke all on function autoexec.reject_action(bigint, text) from public;
grant execute on function autoexec.reject_action(bigint, text) to autoexec_admin;
