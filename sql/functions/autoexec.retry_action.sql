create or replace function autoexec.retry_action(action_id bigint, note text default null)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- An admin's decision to try a FAILED action again: its attempts start from zero and it runs as
-- soon as the guards allow (Tier 1 as a pending proposal under the thresholds and limits, Tier 2 as
-- approved, within settings.approval_ttl). Audited as action.retried.
declare
  a autoexec.actions;
  v_ttl interval;
  v_actor text := autoexec_private.current_actor();
begin
  a := autoexec_private.lock_action_for_decision(retry_action.action_id, array['FAILED'], 'retried');
  select approval_ttl into v_ttl from autoexec.settings;
  update autoexec.actions set
    status = case when a.execution_tier = 1 then 'PENDING' else 'APPROVED' end,
    execution_attempts = 0,
    deferred_until = null,
    reviewed_by = case when a.execution_tier = 1 then a.reviewed_by else v_actor end,
    reviewed_at = case when a.execution_tier = 1 then a.reviewed_at else now() end,
    review_note = case when a.execution_tier = 1 then a.review_note else note end,
    status_reason = 'retry requested by ' || v_actor || '; executes as soon as the guards allow',
    expires_at = case when a.execution_tier = 1 then a.expires_at
      else least(coalesce(a.expires_at, 'infinity'), now() + v_ttl) end
  where id = a.id
  returning * into a;
  perform autoexec_private.enqueue_execution(a.id);
  perform autoexec_private.audit('action.retried', 'action', a.id::text, jsonb_build_object('status', 'FAILED'),
    jsonb_build_object('status', a.status), note);
  return a;
end;
$$;
comment on function autoexec.retry_action(bigint, text) is
  'Tries a FAILED action again from its first attempt (admins only). Audited.';
revoke all on function autoexec.retry_action(bigint, text) from public;
grant execute on function autoexec.retry_action(bigint, text) to autoexec_admin;
