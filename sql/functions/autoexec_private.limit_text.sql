create or replace function autoexec_private.limit_text(bounds autoexec.setting_limits) returns text
language sql immutable
set search_path = pg_catalog
as $$
  -- "0 or more", "more than 0 seconds", "between 0 and 1", "at most 5": a setting's bounds in words.
  select case
    when bounds.minimum is not null and bounds.maximum is not null and not bounds.minimum_exclusive
      then format('between %s and %s', bounds.minimum, bounds.maximum)
    when bounds.minimum is not null and bounds.maximum is not null
      then format('more than %s and at most %s', bounds.minimum, bounds.maximum)
    when bounds.minimum_exclusive then format('more than %s', bounds.minimum)
    when bounds.minimum is not null then format('%s or more', bounds.minimum)
    else format('at most %s', bounds.maximum)
  end || case when s.typname = 'interval' then ' seconds' else '' end
  from pg_attribute a join pg_type s on s.oid = a.atttypid
  where a.attrelid = 'autoexec.settings'::regclass and a.attname = bounds.name;
$$;
comment on function autoexec_private.limit_text(autoexec.setting_limits) is
  'A setting''s bounds in words, with "seconds" for intervals (refusals and documentation).';
