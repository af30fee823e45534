create or replace function autoexec.matching_action_ids(
  search text default null,
  status text default null,
  tier integer default null,
  type text default null,
  up_to_id bigint default null
) returns bigint[]
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- "Select all N matching": the ids themselves (oldest first), at most 10,000, for a bulk decision that
-- then names exactly the actions the admin confirmed.
declare
  v_ids bigint[];
begin
  execute format('select coalesce(array_agg(id order by id), ''{}'') from (select a.id from autoexec.actions a '
      'where %s and a.id <= $1 order by a.id limit 10001) t',
    autoexec_private.action_search_condition(search, status, tier, type))
    into v_ids using coalesce(up_to_id, 9223372036854775807);
  if cardinality(v_ids) > 10000 then
    raise exception 'more than 10,000 actions match; narrow the search to decide on all of them at once'
      using errcode = 'AE003';
  end if;
  return v_ids;
end;
$$;
comment on function autoexec.matching_action_ids(text, text, integer, text, bigint) is
  E'@vocabulary status action_statuses\n@vocabulary tier execution_tiers\n'
  'The ids of every action matching the admin queue''s filters (at most 10,000), for a bulk decision.';
revoke all on function autoexec.matching_action_ids(text, text, integer, text, bigint) from public;
grant execute on function autoexec.matching_action_ids(text, text, integer, text, bigint) to autoexec_viewer;
