create or replace function autoexec_private.canonical_action_data(p_ids jsonb, p_data jsonb) returns jsonb
language plpgsql immutable
set search_path = pg_catalog
as $$
-- action_data with each id field the catalogue names (autoexec.action_types.action_data_ids: "one" for
-- an id, "list" for a list of ids) rewritten as canonical integers (see canonical_id).
declare
  v_field text;
  v_kind text;
  v_value jsonb;
begin
  for v_field, v_kind in select key, value #>> '{}' from jsonb_each(p_ids) loop
    v_value := p_data -> v_field;
    if v_kind = 'one' and jsonb_typeof(v_value) = 'number' then
      p_data := jsonb_set(p_data, array[v_field], to_jsonb(autoexec_private.canonical_id('action_data.' || v_field, v_value)));
    elsif v_kind = 'list' and jsonb_typeof(v_value) = 'array' then
      p_data := jsonb_set(p_data, array[v_field], coalesce((
        select jsonb_agg(coalesce(
            to_jsonb(autoexec_private.canonical_id('action_data.' || v_field || '[' || (e.n - 1) || ']', e.value)),
            e.value) order by e.n)
        from jsonb_array_elements(v_value) with ordinality e(value, n)), '[]'));
    end if;
  end loop;
  return p_data;
end;
$$;
comment on function autoexec_private.canonical_action_data(jsonb, jsonb) is
  'Rewrites the id fields of action_data as canonical integers, refusing numbers that are not ids.';
grant execute on function autoexec_private.canonical_action_data(jsonb, jsonb) to autoexec_agent;
