create or replace function autoexec_private.end_by_decision(
  a autoexec.actions, p_status text, p_note text, p_status_reason text, p_audit_action text
) returns autoexec.actions
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The end of an admin's decision that closes an action for good (reject, mark implemented), once the
-- caller locked it (lock_action_for_decision) and checked what is particular to the decision: the
-- admin becomes its reviewer, the note its reason, and the change is audited.
declare
  v_old_status text := a.status;
begin
  update autoexec.actions set
    status = p_status,
    reviewed_by = autoexec_private.current_actor(),
    reviewed_at = now(),
    review_note = p_note,
    status_reason = p_status_reason,
    deferred_until = null
  where id = a.id
  returning * into a;
  perform autoexec_private.audit(p_audit_action, 'action', a.id::text, jsonb_build_object('status', v_old_status),
    jsonb_build_object('status', p_status), p_note);
  return a;
end;
$$;
comment on function autoexec_private.end_by_decision(autoexec.actions, text, text, text, text) is
  'Closes a locked action by an admin''s decision (REJECTED, IMPLEMENTED): reviewer, note, status reason, audit event.';
