create or replace function autoexec.count_actions(
  search text default null,
  status text default null,
  tier integer default null,
  type text default null,
  up_to_id bigint default null
) returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- How many actions match the queue's filters: {matching, capped, newer, latestId}.
--   matching  up to up_to_id (all when null); counted up to 10,000 (capped: true means "more than")
--   newer     matching actions newer than up_to_id (the "12 new — show" bar), also capped
--   latestId  the newest action id: the up_to_id of a list that shows everything until now
-- Capped, because an exact count of a million rows costs far more than a page and nobody acts on more.
declare
  v_cap constant integer := 10000;
  v_condition text := autoexec_private.action_search_condition(search, status, tier, type);
  v_bound bigint := coalesce(up_to_id, 9223372036854775807);
  v_matching integer;
  v_newer integer := 0;
begin
  execute format('select count(*) from (select 1 from autoexec.actions a where %s and a.id <= $1 limit %s) t',
    v_condition, v_cap + 1) into v_matching using v_bound;
  if up_to_id is not null then
    execute format('select count(*) from (select 1 from autoexec.actions a where %s and a.id > $1 limit %s) t',
      v_condition, v_cap + 1) into v_newer using v_bound;
  end if;
  return jsonb_build_object(
    'matching', least(v_matching, v_cap), 'capped', v_matching > v_cap,
    'newer', least(v_newer, v_cap), 'newerCapped', v_newer > v_cap,
    'cap', v_cap,
    'latestId', (select max(id) from autoexec.actions));
end;
$$;
comment on function autoexec.count_actions(text, text, integer, text, bigint) is
  E'@vocabulary status action_statuses\n@vocabulary tier execution_tiers\n'
  'Counts for the admin queue: {matching, capped, newer, newerCapped, cap, latestId} for the same filters as search_actions.';
revoke all on function autoexec.count_actions(text, text, integer, text, bigint) from public;
grant execute on function autoexec.count_actions(text, text, integer, text, bigint) to autoexec_viewer;
