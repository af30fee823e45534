create or replace function autoexec_private.return_for_review(p_action_id bigint, p_note text) returns boolean
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- An approved action whose change is no longer the one approved goes back to PENDING: the approval
-- is void (its expiry with it), the note says why, and the audit trail keeps who had approved it.
-- Security definer: the executor may not otherwise touch an action's review columns.
declare
  a autoexec.actions;
begin
  select * into a from autoexec.actions where id = p_action_id for update;
  if a.status is distinct from 'APPROVED' then
    return false;
  end if;
  update autoexec.actions set
    status = 'PENDING',
    status_reason = p_note,
    reviewed_by = null,
    reviewed_at = null,
    review_note = null,
    approved_preview = null,
    deferred_until = null,
    expires_at = (a.approved_preview ->> 'expiresAtBefore')::timestamptz
  where id = a.id;
  perform autoexec_private.audit('action.returned_for_review', 'action', a.id::text,
    jsonb_build_object('status', 'APPROVED', 'reviewedBy', a.reviewed_by, 'previewHash', a.approved_preview ->> 'hash'),
    jsonb_build_object('status', 'PENDING'), p_note, 'engine');
  perform autoexec_private.notify('action.returned_for_review', 'warning',
    'action ' || a.id || ' (' || a.type || ') ' || p_note, jsonb_build_object('actionId', a.id));
  return true;
end;
$$;
comment on function autoexec_private.return_for_review(bigint, text) is
  'Voids the approval of an action whose change moved on since it was approved, and puts it back in the queue.';
revoke all on function autoexec_private.return_for_review(bigint, text) from public;
grant execute on function autoexec_private.return_for_review(bigint, text) to autoexec_executor;
