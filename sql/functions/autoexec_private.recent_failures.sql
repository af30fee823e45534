create or replace function autoexec_private.recent_failures(
  p_since timestamptz, p_type text, p_window integer, p_max_attempts integer
) returns table (total integer, failed integer)
language sql stable
set search_path = pg_catalog
as $$
  -- The last p_window actions executed live since p_since (of type p_type, or of any type), and how many
  -- of them failed: an action counts once, however many attempts it took, and failed when its latest
  -- attempt failed. Only the last p_window × p_max_attempts log rows are read.
  select count(*)::int, (count(*) filter (where not recent.success))::int
  from (
    select (array_agg(attempts.success order by attempts.executed_at desc, attempts.id desc))[1] as success
    from (
      select l.id, l.action_id, l.success, l.executed_at from autoexec.execution_logs l
      where l.executed_at > coalesce(p_since, '-infinity') and l.mode = 'live'
        and (p_type is null or l.action_type = p_type)
      order by l.executed_at desc
      limit p_window * p_max_attempts
    ) attempts
    group by attempts.action_id
    order by max(attempts.executed_at) desc
    limit p_window
  ) recent;
$$;
comment on function autoexec_private.recent_failures(timestamptz, text, integer, integer) is
  'How many of the last actions executed live (overall or of one type) failed, retries counted once.';
