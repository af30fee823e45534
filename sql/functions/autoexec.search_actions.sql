create or replace function autoexec.search_actions(
  search text default null,
  status text default null,
  tier integer default null,
  type text default null,
  sort text default 'NEWEST',
  up_to_id bigint default null,
  page_size integer default 25,
  page_offset integer default 0
) returns setof autoexec.actions
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- One page of the admin queue. up_to_id freezes the list at the newest action the admin has seen, so
-- new proposals do not push rows down under the cursor (count_actions says how many are newer).
-- sort: NEWEST, OLDEST, VALUE (confidence × impact), CONFIDENCE, IMPACT, highest first; ties newest first.
-- Each order has an index (migration 060), so a page costs the same with a million actions.
-- security definer: the search reads mod titles in content, which the API's roles cannot read.
declare
  v_order text := case upper(coalesce(sort, 'NEWEST'))
    when 'NEWEST' then 'a.id desc'
    when 'OLDEST' then 'a.id asc'
    when 'VALUE' then '(a.confidence * a.estimated_revenue_impact) desc, a.id desc'
    when 'CONFIDENCE' then 'a.confidence desc, a.id desc'
    when 'IMPACT' then 'a.estimated_revenue_impact desc, a.id desc'
  end;
begin
  if v_order is null then
    raise exception 'sort is NEWEST, OLDEST, VALUE, CONFIDENCE or IMPACT, got "%"', sort using errcode = 'AE001';
  end if;
  if page_size is null or page_size not between 1 and 100 then
    raise exception 'page_size is 1 to 100, got %', coalesce(page_size::text, 'null') using errcode = 'AE001';
  end if;
  if page_offset is null or page_offset < 0 then
    raise exception 'page_offset is 0 or more, got %', coalesce(page_offset::text, 'null') using errcode = 'AE001';
  end if;
  return query execute format('select a.* from autoexec.actions a where %s and a.id <= $1 order by %s limit %s offset %s',
    autoexec_private.action_search_condition(search, status, tier, type), v_order, page_size, page_offset)
    using coalesce(up_to_id, 9223372036854775807);
end;
$$;
comment on function autoexec.search_actions(text, text, integer, text, text, bigint, integer, integer) is
  E'@behavior -connection +list\n@vocabulary status action_statuses\n@vocabulary tier execution_tiers\nOne page of the admin queue: search (#id, a rate-limit key with a colon, or mod title/slug), '
  'filters, sort (NEWEST, OLDEST, VALUE = confidence × impact, CONFIDENCE, IMPACT) and up_to_id (a frozen list).';
revoke all on function autoexec.search_actions(text, text, integer, text, text, bigint, integer, integer) from public;
grant execute on function autoexec.search_actions(text, text, integer, text, text, bigint, integer, integer)
  to autoexec_viewer;
