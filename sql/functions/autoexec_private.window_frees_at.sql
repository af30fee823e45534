create or replace function autoexec_private.window_frees_at(
  p_limit integer, p_window interval, p_now timestamptz, p_rate_limit_key text, p_allowance text default 'any'
) returns timestamptz
language plpgsql stable
set search_path = pg_catalog
as $$
-- Null when the rolling window ending at p_now holds fewer than p_limit live Tier 1 executions;
-- otherwise when it will hold one fewer: the limit-th newest execution leaves the window.
-- p_allowance: which executions count: 'any', null (the general allowance) or 'confident'.
-- A limit of 0 never frees ('infinity'). The log is append-only and its ids only grow, so while the
-- largest id is below the limit no window can hold that many rows: a generous limit costs one index
-- probe instead of a scan of the whole window.
-- PL/pgSQL, not SQL: a SQL function that cannot be inlined is planned again in every transaction,
-- a PL/pgSQL one keeps its plans for the session (this runs for every live execution).
begin
  if p_limit <= 0 then
    return 'infinity';
  end if;
  if p_limit > coalesce((select max(id) from autoexec.execution_logs), 0) then
    return null;
  end if;
  return (
    select l.executed_at + p_window
    from autoexec.execution_logs l
    where l.success and l.mode = 'live' and l.executed_by = 'auto'
      and l.executed_at > p_now - p_window
      and (p_rate_limit_key is null or l.rate_limit_key = p_rate_limit_key)
      and (p_allowance = 'any' or l.allowance is not distinct from p_allowance)
    order by l.executed_at desc
    offset p_limit - 1 limit 1
  );
end;
$$;
comment on function autoexec_private.window_frees_at(integer, interval, timestamptz, text, text) is
  'When a rolling-window rate limit next has room (null: it has room now).';
