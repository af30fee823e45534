create or replace function autoexec_private.duration_bounds_ms() returns integer[]
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  select '{5,10,25,50,100,250,500,1000,2500,5000,10000}'::integer[];
$$;
comment on function autoexec_private.duration_bounds_ms() is
  'The upper bounds, in milliseconds, of /metrics'' execution duration histogram.';
