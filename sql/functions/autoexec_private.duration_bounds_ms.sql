create or replace function autoexec_private.duration_bounds_ms() returns integer[]
language sql immutable
set search_path = pg_catalog
as $$
  select '{5,10,25,50,100,250,500,1000,2500,5000,10000}'::integer[];
$$;
comment on function autoexec_private.duration_bounds_ms() is
  'The upper bounds, in milliseconds, of /metrics'' execution duration histogram.';
