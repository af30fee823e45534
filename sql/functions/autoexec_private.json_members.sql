create or replace function autoexec_private.json_members(p_level jsonb)
returns table (parent text, path text, key text, value jsonb)
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- The members of a list of [path, container] pairs: each object member with its key, each array
  -- element with its index, and the path a person reads ("action_data.modIds[2]").
  select c ->> 0, c ->> 0 || '.' || e.key, e.key, e.value
    from jsonb_array_elements(p_level) c,
      jsonb_each(case when jsonb_typeof(c -> 1) = 'object' then c -> 1 else '{}' end) e
  union all
  select c ->> 0, c ->> 0 || '[' || (e.ordinality - 1) || ']', null, e.value
    from jsonb_array_elements(p_level) c,
      jsonb_array_elements(case when jsonb_typeof(c -> 1) = 'array' then c -> 1 else '[]' end)
        with ordinality e(value, ordinality)
$$;
comment on function autoexec_private.json_members(jsonb) is
  'One level of a JSON walk: the members of [path, container] pairs, with their paths.';
grant execute on function autoexec_private.json_members(jsonb) to autoexec_agent;
