create or replace function autoexec_private.change_hash(p_change jsonb) returns text
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- jsonb's text form is canonical (keys sorted, no duplicates, fixed spacing), so equal changes hash equal.
  select encode(sha256(convert_to(p_change::text, 'UTF8')), 'hex');
$$;
comment on function autoexec_private.change_hash(jsonb) is
  'The fingerprint of a preview''s {before, after}: what an approval records and an execution compares.';
