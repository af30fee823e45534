create or replace function autoexec.mark_action_implemented(action_id bigint, note text)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  a autoexec.actions;
  v_old_status text;
begin
  if coalesce(btrim(note), '') = '' then
    raise exception 'a note saying what was done is required' using errcode = 'AE001';
  end if;
  a := autoexec_private.lock_action_for_decision(mark_action_implemented.action_id, array['PENDING', 'APPROVED'],
    'marked implemented');
  if a.execution_tier <> 3 then
    raise exception 'action % is Tier %: only Tier 3 actions are implemented by hand', a.id, a.execution_tier
      using errcode = 'AE005';
  end if;
  v_old_status := a.status;
  update autoexec.actions set
    status = 'IMPLEMENTED',
    reviewed_by = autoexec_private.current_actor(),
    reviewed_at = now(),
    review_note = note,
    status_reason = 'implemented by hand: ' || note
  where id = a.id
  returning * into a;
  perform autoexec_private.audit('action.implemented', 'action', a.id::text, jsonb_build_object('status', v_old_status),
    jsonb_build_object('status', 'IMPLEMENTED'), note);
  return a;
end;
$$;
comment on function autoexec.mark_action_implemented(bigint, text) is
  'Records that an admin carried out a Tier 3 action by hand (admins only).';
revoke all on function autoexec.mark_action_implemented(bigint, text) from public;
grant execute on function autoexec.mark_action_implemented(bigint, text) to autoexec_admin;
