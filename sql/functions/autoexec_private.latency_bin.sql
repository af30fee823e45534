create or replace function autoexec_private.latency_bin(p_seconds float8) returns smallint
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- Bins of times (to execute, to decide) in the rollups' histograms: bin 0 holds everything under a
  -- millisecond; bin k >= 1 holds [2^((k-1)/8), 2^(k/8)) ms, eight bins per doubling, up to bin 281
  -- (2^35 ms, about 398 days, and longer). latency_bin_seconds gives each bin's geometric middle,
  -- within 2^(1/16) - 1 = 4.4 % of every value in the bin.
  select case when p_seconds < 0.001 then 0
    else least(281, 1 + floor(8 * ln(p_seconds * 1000) / ln(2.0::float8)))::smallint end;
$$;
comment on function autoexec_private.latency_bin(float8) is
  'The histogram bin of a time in seconds: 8 bins per doubling from 1 ms, bin 0 below 1 ms (precision 4.4 %).';
