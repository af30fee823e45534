create or replace function autoexec.approve_actions(action_ids bigint[], note text default null)
returns setof autoexec.actions
language sql volatile
security definer
set search_path = pg_catalog
as $$
  -- All or nothing: if any of them cannot be approved, the error names it and none is approved.
  select approved.*
  from unnest(action_ids) with ordinality as ids(id, n)
  cross join lateral autoexec.approve_action(ids.id, note) as approved
  order by ids.n;
$$;
comment on function autoexec.approve_actions(bigint[], text) is 'Approves several pending actions at once (admins only).';
revoke all on function autoexec.approve_actions(bigint[], text) from public;
grant execute on function autoexec.approve_actions(bigint[], text) to autoexec_admin;
