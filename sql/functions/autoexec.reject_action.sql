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
  perform autoexec_private.require_reason(reason, 'to reject an action');
  a := autoexec_private.lock_action_for_decision(reject_action.action_id, array['PENDING', 'APPROVED'], 'rejected');
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
