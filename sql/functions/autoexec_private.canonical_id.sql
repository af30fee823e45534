create or replace function autoexec_private.canonical_id(p_path text, p_value jsonb) returns bigint
language plpgsql immutable
set search_path = pg_catalog
as $$
-- An id as the agent spelt it (4, 4.0, 40e-1) as one integer, so that guards, locks and handlers all
-- read the same mod. A JSON number that is not exactly a whole number from 1 to 2^53 - 1 (the largest
-- a JavaScript handler reads exactly) is refused; anything else (a string, null) is left for the
-- handler's schema to refuse, which ends the action INVALID. The handlers' contentId accepts the same.
declare
  v_id numeric;
begin
  if jsonb_typeof(p_value) is distinct from 'number' then
    return null;
  end if;
  v_id := p_value::numeric;
  if v_id <> trunc(v_id) or v_id < 1 or v_id > 9007199254740991 then
    raise exception '% must be a whole number from 1 to 9007199254740991, got %', p_path,
      case when length(p_value::text) > 40 then left(p_value::text, 40) || '...' else p_value::text end
      using errcode = 'AE001';
  end if;
  return v_id::bigint;
end;
$$;
comment on function autoexec_private.canonical_id(text, jsonb) is
  'Reads an id in any JSON number spelling as one integer, or refuses a number that is not an id.';
grant execute on function autoexec_private.canonical_id(text, jsonb) to autoexec_agent;
