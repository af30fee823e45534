create or replace function autoexec.approve_actions(action_ids bigint[], note text default null)
returns setof autoexec.actions
language sql volatile
security definer
set search_path = pg_catalog
as $$
  -- All or nothing, one audit event for the lot (autoexec.decide_actions).
  select * from autoexec.decide_actions('approve', action_ids, note);
$$;
comment on function autoexec.approve_actions(bigint[], text) is 'Approves several pending actions at once (admins only).';
revoke all on function autoexec.approve_actions(bigint[], text) from public;
grant execute on function autoexec.approve_actions(bigint[], text) to autoexec_admin;
