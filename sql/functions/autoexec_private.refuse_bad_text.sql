create or replace function autoexec_private.refuse_bad_text(p_what text, p_value text, p_max_length integer)
returns void
language plpgsql immutable
set search_path = pg_catalog
as $$
-- Refuses (SQLSTATE 22023) a text the agent wrote that is longer than p_max_length characters (null: no
-- limit) or that holds a character that can hide or reorder what a person reads: C0 controls but tab,
-- newline and carriage return, DEL, C1 controls (U+0080-U+009F, with U+0085 next line), the line and
-- paragraph separators U+2028/U+2029 and the bidirectional marks, embeddings, overrides and isolates.
-- src/handlers/fields.ts refuses the same set (test/agent-input.test.ts compares them).
declare
  v_at integer;
begin
  if p_max_length is not null and length(p_value) > p_max_length then
    raise exception '% is % characters long; the limit is %', p_what, length(p_value), p_max_length
      using errcode = '22023';
  end if;
  v_at := regexp_instr(p_value, '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]');
  if v_at > 0 then
    raise exception '% contains a control or bidirectional character (U+%) at character %', p_what,
      lpad(upper(to_hex(ascii(substr(p_value, v_at, 1)))), 4, '0'), v_at
      using errcode = '22023';
  end if;
end;
$$;
comment on function autoexec_private.refuse_bad_text(text, text, integer) is
  'Refuses an agent''s text that is too long or holds control or bidirectional characters, naming the problem.';
grant execute on function autoexec_private.refuse_bad_text(text, text, integer) to autoexec_agent;
