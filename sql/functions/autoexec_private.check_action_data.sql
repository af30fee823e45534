create or replace function autoexec_private.check_action_data(p_data jsonb) returns void
language plpgsql immutable
set search_path = pg_catalog
as $$
-- Refuses action_data nested more than 20 levels deep, with a key over 64 characters, a string over
-- 20,000 characters, a control or bidirectional character in a key or string, or a number no double can
-- hold (the handlers read JSON as JavaScript numbers). The depth is measured on the text first (cheap
-- even for 20,000 levels, which the walk would copy level by level); then the members are walked one
-- level at a time, set-based and without recursion, so that depth costs no stack.
declare
  v_level jsonb := jsonb_build_array(jsonb_build_array('action_data', p_data)); -- [[path, container], ...]
  v_bad jsonb; -- [parent, path, key, value] of the first bad member
  v_next jsonb;
  v_parent text;
  v_key text;
  v_value jsonb;
  v_brackets text;
begin
  -- Only the brackets, strings (keys and values) taken out; each pass removes the innermost pairs, so
  -- what is left after 20 passes is nested deeper than 20 levels.
  v_brackets := regexp_replace(regexp_replace(p_data::text, '"(?:[^"\\]|\\.)*"', '', 'g'), '[^][{}]', '', 'g');
  for v_pass in 1..20 loop
    exit when v_brackets = '';
    v_brackets := regexp_replace(v_brackets, '\[\]|\{\}', '', 'g');
  end loop;
  if v_brackets <> '' then
    raise exception 'action_data is nested more than 20 levels deep' using errcode = 'AE001';
  end if;

  loop
    with members as materialized (
      select * from autoexec_private.json_members(v_level)
    )
    select
      (select jsonb_build_array(b.parent, b.path, b.key, b.value) from members b
        where (b.key is not null and (length(b.key) > 64 or autoexec_private.hidden_character_at(b.key) > 0))
          or (jsonb_typeof(b.value) = 'string' and (length(b.value #>> '{}') > 20000
                or autoexec_private.hidden_character_at(b.value #>> '{}') > 0))
          or (jsonb_typeof(b.value) = 'number' and abs(b.value::numeric) > 1.7976931348623157e308)
        limit 1),
      (select jsonb_agg(jsonb_build_array(c.path, c.value)) from members c
        where jsonb_typeof(c.value) in ('object', 'array'))
    into v_bad, v_next;

    if v_bad is not null then
      -- Say what is wrong with the first bad member: its key first, then its value.
      v_parent := v_bad ->> 0;
      v_key := v_bad ->> 2;
      v_value := v_bad -> 3;
      if length(v_key) > 64 then
        raise exception '% has a key of % characters ("%..."); the limit is 64', v_parent, length(v_key),
          left(v_key, 20) using errcode = 'AE001';
      end if;
      if v_key is not null then
        perform autoexec_private.refuse_bad_text(v_parent || ' has a key that', v_key, null);
      end if;
      if jsonb_typeof(v_value) = 'number' then
        raise exception '% is a number too large for a double (%...)', v_bad ->> 1, left(v_value::text, 20)
          using errcode = 'AE001';
      end if;
      perform autoexec_private.refuse_bad_text(v_bad ->> 1, v_value #>> '{}', 20000);
    end if;

    exit when v_next is null;
    v_level := v_next;
  end loop;
end;
$$;
comment on function autoexec_private.check_action_data(jsonb) is
  'Refuses action_data too deep, with over-long keys or strings, control characters or numbers beyond a double.';
grant execute on function autoexec_private.check_action_data(jsonb) to autoexec_agent;
