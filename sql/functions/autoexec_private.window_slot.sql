create or replace function autoexec_private.window_slot(
  p_times timestamptz[], p_at timestamptz, p_window interval, p_limit integer
) returns timestamptz
language plpgsql immutable
set search_path = pg_catalog
as $$
-- The earliest time at or after p_at when fewer than p_limit of p_times lie in (t - p_window, t]: when a
-- rolling-window limit would let one more execution through. 'infinity' for a limit of 0. Used by the
-- shadow report to replay the limits on the dry-run timeline.
declare
  v_at timestamptz := p_at;
  v_in_window timestamptz[];
begin
  if p_limit is null then
    return p_at;
  end if;
  if p_limit <= 0 then
    return 'infinity';
  end if;
  loop
    select coalesce(array_agg(t order by t), '{}') into v_in_window
    from unnest(p_times) t where t > v_at - p_window and t <= v_at;
    if cardinality(v_in_window) < p_limit then
      return v_at;
    end if;
    -- Move to when enough of the oldest ones have left the window.
    v_at := v_in_window[cardinality(v_in_window) - p_limit + 1] + p_window;
  end loop;
end;
$$;
comment on function autoexec_private.window_slot(timestamptz[], timestamptz, interval, integer) is
  'When a rolling-window limit (p_limit per p_window) would next admit an execution, given past ones.';
