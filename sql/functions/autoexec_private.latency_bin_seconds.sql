create or replace function autoexec_private.latency_bin_seconds(p_bin smallint) returns float8
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- The geometric middle of the bin (see latency_bin); bin 0 (under a millisecond) counts as 0.
  select case when p_bin = 0 then 0 else power(2.0, (p_bin - 0.5) / 8) / 1000 end;
$$;
comment on function autoexec_private.latency_bin_seconds(smallint) is
  'The value, in seconds, that stands for every time in a histogram bin (its geometric middle).';
