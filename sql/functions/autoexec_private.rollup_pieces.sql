create or replace function autoexec_private.rollup_pieces(
  p_start timestamptz, p_end timestamptz, p_coarsest text default 'month'
) returns table (granularity text, piece_start timestamptz, piece_end timestamptz)
language plpgsql stable
-- About 120 pieces for a year: the planner reads a few rollup rows per piece, the log by index.
rows 100
set search_path = pg_catalog
as $$
-- Cuts [p_start, p_end) into the fewest rollup buckets (month, day, hour; none coarser than p_coarsest)
-- plus 'raw' pieces shorter than an hour at the edges, which are read from the log itself. A year is
-- about 120 pieces, and the raw ones cover at most two hours: the cost does not follow the log's size.
declare
  v_at timestamptz := p_start;
  v_next timestamptz;
  v_level text;
  v_levels text[] := case p_coarsest when 'month' then '{month,day,hour}'::text[] when 'day' then '{day,hour}'::text[]
    else '{hour}'::text[] end;
begin
  if not (isfinite(p_start) and isfinite(p_end)) then
    raise exception 'the range must have finite ends (from % to %)', p_start, p_end using errcode = 'AE001';
  end if;
  while v_at < p_end loop
    v_next := null;
    foreach v_level in array v_levels loop
      if date_trunc(v_level, v_at, 'UTC') = v_at and autoexec_private.bucket_end(v_level, v_at) <= p_end then
        v_next := autoexec_private.bucket_end(v_level, v_at);
        granularity := v_level;
        exit;
      end if;
    end loop;
    if v_next is null then
      v_next := least(p_end, autoexec_private.bucket_end('hour', date_trunc('hour', v_at, 'UTC')));
      granularity := 'raw';
    end if;
    piece_start := v_at;
    piece_end := v_next;
    return next;
    v_at := v_next;
  end loop;
end;
$$;
comment on function autoexec_private.rollup_pieces(timestamptz, timestamptz, text) is
  'Cuts a range into whole rollup buckets (UTC month, day, hour) and raw pieces of less than an hour at its edges.';
