create or replace function autoexec_private.allowance_of(p_confidence numeric, s autoexec.settings) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path): it runs for
  -- every execution, and a SQL function that is not inlined is planned again on every call.
  -- Which rate-limit allowance an automatic action with this confidence uses: 'confident' at or above
  -- settings.confident_min_confidence (PRD phase 3), else null (hourly_limit and daily_limit).
  select case when p_confidence >= s.confident_min_confidence then 'confident' end;
$$;
comment on function autoexec_private.allowance_of(numeric, autoexec.settings) is
  'The rate-limit allowance of an automatic action: confident, or null (the general one).';
