create or replace function autoexec.actions_change_summary(a autoexec.actions) returns text
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- One line saying what an action changes, for the queue: "adds Amazon link to sidebar",
-- "meta: 38 → 142 characters", "adds 3 paragraphs under Installation". Read from action_data and
-- the current content, defensively: malformed data gets a line saying so, never an error (the queue
-- lists every row). The full before/after is actionPreview's.
declare
  d jsonb := a.action_data;
  -- Compared with the current content only while the action may still run: afterwards the content
  -- already holds its change.
  v_open boolean := a.status in ('PENDING', 'APPROVED');
  v_mod content.mods;
  v_text text;
  v_count integer;
  v_heading text;
begin
  if jsonb_typeof(d -> 'modId') = 'number' and (d ->> 'modId') ~ '^\d{1,18}$' then
    select * into v_mod from content.mods where v_open and id = (d ->> 'modId')::bigint;
  end if;
  case a.type
  when 'ADD_AFFILIATE_LINK' then
    return 'adds ' || coalesce(initcap(d ->> 'affiliateType'), 'an affiliate') || ' link to '
      || coalesce(d ->> 'position', 'sidebar');
  when 'UPDATE_META_DESCRIPTION' then
    return 'meta: ' || case when not v_open then '' else coalesce(length(v_mod.meta_description)::text, 'none') || ' → ' end
      || coalesce(length(d ->> 'metaDescription')::text, '?') || ' characters';
  when 'EXPAND_CONTENT' then
    v_text := coalesce(d ->> 'content', '');
    select count(*) into v_count from regexp_split_to_table(btrim(v_text), '\n\s*\n') p where btrim(p) <> '';
    if coalesce(d ->> 'placement', 'end') = 'start' then
      return 'adds ' || v_count || case when v_count = 1 then ' paragraph' else ' paragraphs' end || ' at the top';
    end if;
    -- Appended text reads as part of the body's last section, when the body has headings.
    select (regexp_match(line, '^#{1,6}\s+(.*\S)'))[1] into v_heading
      from regexp_split_to_table(coalesce(v_mod.body, ''), '\n') with ordinality as l(line, n)
      where line ~ '^#{1,6}\s+\S' order by n desc limit 1;
    return 'adds ' || v_count || case when v_count = 1 then ' paragraph' else ' paragraphs' end
      || coalesce(' under ' || v_heading, ' at the end');
  when 'ADD_TO_COLLECTION' then
    if jsonb_typeof(d -> 'collectionId') = 'number' and (d ->> 'collectionId') ~ '^\d{1,18}$' then
      select title into v_text from content.collections where id = (d ->> 'collectionId')::bigint;
    end if;
    return 'adds to collection ' || coalesce('"' || v_text || '"', '#' || (d ->> 'collectionId'), '?')
      || coalesce(' at position ' || (d ->> 'position'), ' at the end');
  when 'GENERATE_INTERNAL_LINK_SUGGESTIONS' then
    return 'suggests up to ' || coalesce(d ->> 'maxSuggestions', '5') || ' internal links';
  when 'ADD_AD_SLOT' then
    return 'adds ' || coalesce(d ->> 'format', '?') || ' ad slot at ' || coalesce(d ->> 'position', '?');
  when 'CREATE_COLLECTION_PAGE' then
    return 'creates page "' || coalesce(d ->> 'title', '?') || '" with '
      || case when jsonb_typeof(d -> 'modIds') = 'array' then jsonb_array_length(d -> 'modIds')::text else '?' end
      || ' mods';
  else
    return null;
  end case;
end;
$$;
comment on function autoexec.actions_change_summary(autoexec.actions) is
  'What an action changes, in one line (GraphQL: Action.changeSummary).';
revoke all on function autoexec.actions_change_summary(autoexec.actions) from public;
grant execute on function autoexec.actions_change_summary(autoexec.actions) to autoexec_viewer;
