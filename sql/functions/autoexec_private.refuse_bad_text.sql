create or replace function autoexec_private.refuse_bad_text(p_what text, p_value text, p_max_length integer)
returns void
language plpgsql immutable
set search_path = pg_catalog
as $$
-- Refuses (SQLSTATE 22023) a text the agent wrote that is longer than p_max_length characters (null: no
-- limit) or holds a control or bidirectional character (see hidden_character_at), naming p_what.
declare
  v_at integer;
begin
  if p_max_length is not null and length(p_value) > p_max_length then
    raise exception '% is % characters long; the limit is %', p_what, length(p_value), p_max_length
      using errcode = 'AE001';
  end if;
  v_at := autoexec_private.hidden_character_at(p_value);
  if v_at > 0 then
    raise exception '% contains a control or bidirectional character (U+%) at character %', p_what,
      lpad(upper(to_hex(ascii(substr(p_value, v_at, 1)))), 4, '0'), v_at
      using errcode = 'AE001';
  end if;
end;
$$;
comment on function autoexec_private.refuse_bad_text(text, text, integer) is
  'Refuses an agent''s text that is too long or holds control or bidirectional characters, naming the problem.';
grant execute on function autoexec_private.refuse_bad_text(text, text, integer) to autoexec_agent;
