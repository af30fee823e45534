create or replace function autoexec_private.hidden_character_at(p_text text) returns integer
language sql immutable parallel safe
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- Where p_text first holds a character that can hide or reorder what a person reads (0: nowhere):
  -- C0 controls but tab, newline and carriage return, DEL, C1 controls (U+0080-U+009F, with U+0085
  -- next line), the separators U+2028/U+2029 and the bidirectional marks, embeddings, overrides and
  -- isolates. src/handlers/fields.ts (HIDDEN_CHARACTERS) refuses the same set; a test compares them.
  select regexp_instr(p_text,
    '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]')
$$;
comment on function autoexec_private.hidden_character_at(text) is
  'The position of the first control or bidirectional character in a text, 0 when there is none.';
grant execute on function autoexec_private.hidden_character_at(text) to autoexec_agent;
