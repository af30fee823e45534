create or replace function autoexec_private.histogram_percentile(p_bins smallint[], p_counts bigint[], p_fraction float8)
returns numeric
language plpgsql immutable
set search_path = pg_catalog
as $$
-- percentile_cont over a histogram (bins in ascending order with their counts): the order statistics
-- either side of the fraction's rank are taken as their bins' middle values and interpolated as
-- percentile_cont does, so the answer is within latency_bin's 4.4 % of percentile_cont's over the
-- values themselves. Seconds, 3 decimals; null for an empty histogram.
declare
  v_total bigint := 0;
  v_rank float8;
  v_low float8;
  v_high float8;
  v_seen bigint := 0;
  i integer;
begin
  for i in 1 .. coalesce(cardinality(p_bins), 0) loop
    v_total := v_total + p_counts[i];
  end loop;
  if v_total = 0 then
    return null;
  end if;
  v_rank := p_fraction * (v_total - 1);
  for i in 1 .. cardinality(p_bins) loop
    v_seen := v_seen + p_counts[i];
    if v_low is null and v_seen > floor(v_rank) then
      v_low := autoexec_private.latency_bin_seconds(p_bins[i]);
    end if;
    if v_seen > ceil(v_rank) then
      v_high := autoexec_private.latency_bin_seconds(p_bins[i]);
      exit;
    end if;
  end loop;
  return round((v_low + (v_rank - floor(v_rank)) * (v_high - v_low))::numeric, 3);
end;
$$;
comment on function autoexec_private.histogram_percentile(smallint[], bigint[], float8) is
  'percentile_cont estimated from a latency histogram (within 4.4 %): seconds, or null when it is empty.';
