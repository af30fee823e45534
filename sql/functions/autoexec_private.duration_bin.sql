create or replace function autoexec_private.duration_bin(p_duration_ms integer) returns smallint
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- /metrics' bucket bounds for handler durations, in ms: the bin is the index (1-11) of the first
  -- bound the duration fits under, 12 past the last one. A Prometheus bucket le=bound[k] is bins 1..k.
  -- (1 + the number of bounds below the duration: width_bucket counts the bounds <= its operand.)
  select (1 + width_bucket(p_duration_ms - 1, autoexec_private.duration_bounds_ms()))::smallint;
$$;
comment on function autoexec_private.duration_bin(integer) is
  'The histogram bin of a handler duration: the index of the first of duration_bounds_ms() it fits under (12: none).';
