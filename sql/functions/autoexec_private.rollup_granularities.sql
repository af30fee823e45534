create or replace function autoexec_private.rollup_granularities() returns table (granularity text)
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  select unnest('{hour,day,month}'::text[]);
$$;
comment on function autoexec_private.rollup_granularities() is 'The bucket widths the rollups keep: hour, day, month.';
