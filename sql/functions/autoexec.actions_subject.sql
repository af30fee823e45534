create or replace function autoexec.actions_subject(a autoexec.actions) returns jsonb
language sql stable
security definer
set search_path = pg_catalog
as $$
  -- The page an action is about, for the queue and the action page: a mod (by action_data.modId) or,
  -- for CREATE_COLLECTION_PAGE, the collection page it creates. Security definer: viewers cannot read
  -- the content schema, only this summary of it.
  select coalesce(
    (select jsonb_build_object('kind', 'mod', 'id', m.id, 'slug', m.slug, 'title', m.title,
       'pageUrl', s.site_url || '/mods/' || m.slug)
     from content.mods m, autoexec.settings s
     where jsonb_typeof(a.action_data -> 'modId') = 'number' and (a.action_data ->> 'modId') ~ '^\d{1,18}$'
       and m.id = (a.action_data ->> 'modId')::bigint),
    (select jsonb_build_object('kind', 'collection', 'slug', a.action_data ->> 'slug',
       'title', a.action_data ->> 'title', 'pageUrl', s.site_url || '/collections/' || (a.action_data ->> 'slug'))
     from autoexec.settings s
     where a.type = 'CREATE_COLLECTION_PAGE' and jsonb_typeof(a.action_data -> 'slug') = 'string'
       and (a.action_data ->> 'slug') ~ '^[a-z0-9]+(-[a-z0-9]+)*$'));
$$;
comment on function autoexec.actions_subject(autoexec.actions) is
  'The mod (id, slug, title, pageUrl) or new collection page an action is about (GraphQL: Action.subject).';
revoke all on function autoexec.actions_subject(autoexec.actions) from public;
grant execute on function autoexec.actions_subject(autoexec.actions) to autoexec_viewer;
