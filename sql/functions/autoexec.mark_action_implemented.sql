create or replace function autoexec.mark_action_implemented(action_id bigint, note text)
returns autoexec.actions
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  a autoexec.actions;
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
  return autoexec_private.end_by_decision(a, 'IMPLEMENTED', note, 'implemented by hand: ' || note,
    'action.implemented');
end;
$$;
comment on function autoexec.mark_action_implemented(bigint, text) is
  'Records that an admin carried out a Tier 3 action by hand (admins only).';
revoke all on function autoexec.mark_action_implemented(bigint, text) from public;
grant execute on function autoexec.mark_action_implemented(bigint, text) to autoexec_admin;
