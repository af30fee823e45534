create or replace function autoexec.approve_action_as_seen(action_id bigint, preview_hash text, note text default null)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- approve_action, remembering the preview the admin was shown (actionPreview's hash): the execution
-- compares what it would change with it and returns the action for review when they differ.
declare
  v_expires_before timestamptz;
  a autoexec.actions;
begin
  if preview_hash is null or preview_hash !~ '^[0-9a-f]{64}$' then
    raise exception 'preview_hash must be the 64-character hash of the preview you approve (actionPreview.hash)'
      using errcode = 'AE001';
  end if;
  select expires_at into v_expires_before from autoexec.actions where id = approve_action_as_seen.action_id
    for update;
  a := autoexec.approve_action(approve_action_as_seen.action_id, note);
  update autoexec.actions set
    approved_preview = jsonb_build_object('hash', preview_hash, 'expiresAtBefore', v_expires_before)
  where id = a.id
  returning * into a;
  return a;
end;
$$;
comment on function autoexec.approve_action_as_seen(bigint, text, text) is
  'Approves a pending action as previewed (admins only): if its change differs from that preview when it executes, it returns for review.';
revoke all on function autoexec.approve_action_as_seen(bigint, text, text) from public;
grant execute on function autoexec.approve_action_as_seen(bigint, text, text) to autoexec_admin;
