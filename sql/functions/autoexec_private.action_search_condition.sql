create or replace function autoexec_private.action_search_condition(
  p_search text, p_status text, p_tier integer, p_type text
) returns text
language plpgsql immutable
set search_path = pg_catalog
as $$
-- The queue's filters as one SQL condition on autoexec.actions (alias a), shared by search_actions,
-- count_actions and matching_action_ids so the list, its count and "select all N" always agree.
-- The search text means, by its shape:
--   #123 or 123   the action with that id
--   mod:12, x:y   a rate-limit key starting with it (any text with a colon)
--   anything else a mod whose title or slug contains it (case-insensitive), via action_data.modId
-- Bad values are refused with a sentence, never guessed at.
declare
  v_search text := btrim(coalesce(p_search, ''));
  v_parts text[] := array['true'];
  v_like text;
begin
  if p_status is not null and p_status not in
      ('PENDING', 'APPROVED', 'REJECTED', 'EXECUTED', 'FAILED', 'ROLLED_BACK', 'INVALID', 'EXPIRED', 'IMPLEMENTED') then
    raise exception 'unknown status "%"', p_status using errcode = 'AE001';
  end if;
  if p_tier is not null and p_tier not between 1 and 3 then
    raise exception 'tier is 1, 2 or 3, got %', p_tier using errcode = 'AE001';
  end if;
  if length(v_search) > 200 then
    raise exception 'the search is % characters long; at most 200', length(v_search) using errcode = 'AE001';
  end if;
  if p_status is not null then v_parts := v_parts || format('a.status = %L', p_status); end if;
  if p_tier is not null then v_parts := v_parts || format('a.execution_tier = %s', p_tier); end if;
  if p_type is not null then v_parts := v_parts || format('a.type = %L', p_type); end if;
  if v_search ~ '^#?[0-9]{1,18}$' then
    v_parts := v_parts || format('a.id = %s', ltrim(v_search, '#')::bigint);
  elsif v_search like '%:%' then
    v_like := replace(replace(replace(v_search, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    v_parts := v_parts || format('a.rate_limit_key like %L', v_like);
  elsif v_search <> '' then
    v_like := '%' || replace(replace(replace(v_search, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    v_parts := v_parts || format(
      '(a.action_data ->> %L) in (select m.id::text from content.mods m where m.title ilike %L or m.slug ilike %L)',
      'modId', v_like, v_like);
  end if;
  return array_to_string(v_parts, ' and ');
end;
$$;
comment on function autoexec_private.action_search_condition(text, text, integer, text) is
  'The admin queue''s search and filters as a SQL condition on autoexec.actions a (one definition for list, count and select-all).';
