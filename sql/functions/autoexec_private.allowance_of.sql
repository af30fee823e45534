create or replace function autoexec_private.allowance_of(p_confidence numeric, s autoexec.settings) returns text
language sql stable
set search_path = pg_catalog
as $$
  -- Which rate-limit allowance an automatic action with this confidence uses: 'confident' at or above
  -- settings.confident_min_confidence (PRD phase 3), else null (hourly_limit and daily_limit).
  select case when p_confidence >= s.confident_min_confidence then 'confident' end;
$$;
comment on function autoexec_private.allowance_of(numeric, autoexec.settings) is
  'The rate-limit allowance of an automatic action: confident, or null (the general one).';
