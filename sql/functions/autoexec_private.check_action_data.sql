create or replace function autoexec_private.check_action_data(p_data jsonb) returns void
language plpgsql immutable
set search_path = pg_catalog
as $$
-- Refuses action_data nested more than 20 levels deep, with a key over 64 characters, a string over
-- 20,000 characters, a control or bidirectional character in a key or string, or a number no double can
-- hold (the handlers read JSON as JavaScript numbers). Walks one level at a time, without recursion,
-- so that depth costs no stack and the walk stops at the first level too deep.
declare
  v_level jsonb := jsonb_build_array(jsonb_build_array('action_data', p_data)); -- [[path, container], ...]
  v_depth integer := 1;
  m record;
begin
  loop
    for m in select * from autoexec_private.json_members(v_level)
    loop
      if m.key is not null then
        if length(m.key) > 64 then
          raise exception '% has a key of % characters ("%..."); the limit is 64', m.parent, length(m.key),
            left(m.key, 20) using errcode = '22023';
        end if;
        perform autoexec_private.refuse_bad_text(m.parent || ' has a key that', m.key, null);
      end if;
      case jsonb_typeof(m.value)
        when 'string' then
          perform autoexec_private.refuse_bad_text(m.path, m.value #>> '{}', 20000);
        when 'number' then
          if abs((m.value)::numeric) > 1.7976931348623157e308 then
            raise exception '% is a number too large for a double (%...)', m.path, left(m.value::text, 20)
              using errcode = '22023';
          end if;
        else null;
      end case;
    end loop;

    select jsonb_agg(jsonb_build_array(x.path, x.value)) into v_level
      from autoexec_private.json_members(v_level) x
      where jsonb_typeof(x.value) in ('object', 'array');
    exit when v_level is null;
    v_depth := v_depth + 1;
    if v_depth > 20 then
      raise exception 'action_data is nested more than 20 levels deep (at %)', v_level -> 0 ->> 0
        using errcode = '22023';
    end if;
  end loop;
end;
$$;
comment on function autoexec_private.check_action_data(jsonb) is
  'Refuses action_data too deep, with over-long keys or strings, control characters or numbers beyond a double.';
grant execute on function autoexec_private.check_action_data(jsonb) to autoexec_agent;
