create or replace function autoexec.approve_action(action_id bigint, note text default null)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Tier 1 and 2: the action executes as soon as the guards allow (enqueued in this transaction) and
-- must do so within settings.approval_ttl. Tier 3: approved for an admin to implement by hand.
declare
  a autoexec.actions;
  v_ttl interval;
begin
  a := autoexec_private.lock_action_for_decision(approve_action.action_id, array['PENDING'], 'approved');
  select approval_ttl into v_ttl from autoexec.settings;
  update autoexec.actions set
    status = 'APPROVED',
    reviewed_by = autoexec_private.current_actor(),
    reviewed_at = now(),
    review_note = note,
    wait_kind = null,
    deferred_until = null,
    status_reason = case when a.execution_tier = 3
      then 'approved for manual implementation: the engine never executes Tier 3 actions'
      else 'approved; executes as soon as the guards allow' end,
    expires_at = case when a.execution_tier = 3 then a.expires_at
      else least(coalesce(a.expires_at, 'infinity'), now() + v_ttl) end
  where id = a.id
  returning * into a;
  if a.execution_tier < 3 then
    perform autoexec_private.enqueue_execution(a.id);
  end if;
  perform autoexec_private.audit('action.approved', 'action', a.id::text, jsonb_build_object('status', 'PENDING'),
    jsonb_build_object('status', 'APPROVED'), note);
  return a;
end;
$$;
comment on function autoexec.approve_action(bigint, text) is
  'Approves a pending action (admins only). Tier 1 and 2 then execute automatically; Tier 3 awaits manual implementation.';
revoke all on function autoexec.approve_action(bigint, text) from public;
grant execute on function autoexec.approve_action(bigint, text) to autoexec_admin;
