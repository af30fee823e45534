create or replace function autoexec.reject_action(action_id bigint, reason text)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  a autoexec.actions;
begin
  perform autoexec_private.require_reason(reason, 'to reject an action');
  a := autoexec_private.lock_action_for_decision(reject_action.action_id, array['PENDING', 'APPROVED'], 'rejected');
  return autoexec_private.end_by_decision(a, 'REJECTED', reason, 'rejected: ' || reason, 'action.rejected');
end;
$$;
comment on function autoexec.reject_action(bigint, text) is 'Rejects a pending or approved action, with a reason (admins only).';
revoke all on function autoexec.reject_action(bigint, text) from public;
grant execute on function autoexec.reject_action(bigint, text) to autoexec_admin;
