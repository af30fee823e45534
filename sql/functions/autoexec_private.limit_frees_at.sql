create or replace function autoexec_private.limit_frees_at(
  p_uses timestamptz[], p_rank integer, p_limit integer, p_window interval
) returns timestamptz
language plpgsql stable
set search_path = pg_catalog
as $$
-- The forecast's model of a rolling-window limit of its own (a rate_limit_key's, a type's daily cap):
-- p_uses are the window's executions (oldest first), and the action is the p_rank-th of the line to
-- use it. Use j may happen once use j - limit is p_window old; uses not yet made are taken to happen
-- as early as they may. Null: the window has room for it; 'infinity': a limit of 0.
declare
  v_used integer := coalesce(cardinality(p_uses), 0);
  v_use integer := coalesce(cardinality(p_uses), 0) + p_rank;
  v_windows integer;
  v_base integer;
begin
  if p_limit <= 0 then
    return 'infinity';
  end if;
  if v_use <= p_limit then
    return null;
  end if;
  -- The fewest windows back that reach a use already made, or the first use not yet made.
  v_windows := ceil((v_use - v_used)::numeric / p_limit)::integer;
  v_base := v_use - v_windows * p_limit;
  if v_base >= 1 then
    return p_uses[v_base] + v_windows * p_window;
  end if;
  return now() + (v_windows - 1) * p_window;
end;
$$;
comment on function autoexec_private.limit_frees_at(timestamptz[], integer, integer, interval) is
  'The forecast''s model of a per-key or per-type rolling limit: when the rank-th waiting user of it may run.';
