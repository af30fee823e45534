create or replace function autoexec_private.duration_bin(p_duration_ms integer) returns smallint
language sql immutable
set search_path = pg_catalog
as $$
  -- /metrics' bucket bounds for handler durations, in ms: the bin is the index (1-11) of the first
  -- bound the duration fits under, 12 past the last one. A Prometheus bucket le=bound[k] is bins 1..k.
  select coalesce(array_position(array(
    select b >= p_duration_ms from unnest(autoexec_private.duration_bounds_ms()) b), true), 12)::smallint;
$$;
comment on function autoexec_private.duration_bin(integer) is
  'The histogram bin of a handler duration: the index of the first of duration_bounds_ms() it fits under (12: none).';
