create or replace function autoexec_private.dispatch_allowance(s autoexec.settings, p_allowance text, p_now timestamptz)
returns table (picked bigint[], free_slots integer, next_at timestamptz)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- One allowance's share of a dispatcher run (the general one, p_allowance null, or phase 3's
-- 'confident'); the caller holds the engine's slot lock (shared: see dispatch_waiting). Counts the
-- free slots of its rolling hour and day (minus its actions already dispatched), hands exactly that
-- many from the head of the line to the executors, and says when its next slot frees. The line is one index in value
-- order; an allowance's head is found among the first 1,000 of it (beyond that, the next run).
declare
  v_hourly integer;
  v_daily integer;
  v_in_flight integer;
  v_hour integer;
  v_day integer;
  v_free integer := 0;
  v_picked bigint[] := '{}';
  v_next timestamptz;
begin
  select l.hourly, l.daily into v_hourly, v_daily from autoexec_private.allowance_limits(s, p_allowance) l;
  select count(*) into v_in_flight from autoexec.actions a
  where a.wait_kind = 'dispatched' and autoexec_private.allowance_of(a.confidence, s) is not distinct from p_allowance;
  select count(*) into v_hour from (
    select from autoexec.execution_logs l
    where l.success and l.mode = 'live' and l.executed_by = 'auto' and l.allowance is not distinct from p_allowance
      and l.executed_at > clock_timestamp() - interval '1 hour'
    limit v_hourly) w;
  select count(*) into v_day from (
    select from autoexec.execution_logs l
    where l.success and l.mode = 'live' and l.executed_by = 'auto' and l.allowance is not distinct from p_allowance
      and l.executed_at > clock_timestamp() - interval '24 hours'
    limit v_daily) w;
  v_free := greatest(least(v_hourly - v_hour, v_daily - v_day) - v_in_flight, 0);
  if v_free > 0 then
    -- The head is found without locking, then only the picked rows are locked (an executor may hold
    -- one: it is skipped, and the next run hands its slot on).
    with candidates as (
      select h.id from (
        select a.id, a.confidence, a.expected_value, a.created_at from autoexec.actions a
        where a.wait_kind = 'line'
        order by a.expected_value desc, a.created_at, a.id
        limit 1000
      ) h
      where autoexec_private.allowance_of(h.confidence, s) is not distinct from p_allowance
      order by h.expected_value desc, h.created_at, h.id
      limit v_free
    ), head as (
      select a.id from autoexec.actions a
      where a.id in (select id from candidates) and a.wait_kind = 'line'
      for update skip locked
    ), dispatched as (
      update autoexec.actions a set wait_kind = 'dispatched',
        status_reason = 'given a free rate-limit slot at ' || autoexec_private.format_time(p_now) || '; executing'
      from head where a.id = head.id
      returning a.id
    )
    select coalesce(array_agg(id order by id), '{}') into v_picked from dispatched;
    perform autoexec_private.enqueue_executions(v_picked);
  end if;
  -- When the slots are all taken (counting what was just dispatched), the next one frees when the
  -- oldest execution still counted leaves its window. Until the dispatched ones have run, that is not
  -- known yet: look again in a second.
  v_in_flight := v_in_flight + cardinality(v_picked);
  if exists (select from autoexec.actions a where a.wait_kind = 'line'
             and autoexec_private.allowance_of(a.confidence, s) is not distinct from p_allowance) then
    if v_hourly - v_in_flight <= 0 or v_daily - v_in_flight <= 0 then
      v_next := p_now + interval '1 second';
    else
      v_next := greatest(
        autoexec_private.window_frees_at(v_hourly - v_in_flight, '1 hour', clock_timestamp(), null, p_allowance),
        autoexec_private.window_frees_at(v_daily - v_in_flight, '24 hours', clock_timestamp(), null, p_allowance));
      if v_next is null then
        v_next := p_now + interval '1 second'; -- room, but the head was busy (locked) or further down: soon again
      end if;
    end if;
  end if;
  return query select v_picked, v_free, v_next;
end;
$$;
comment on function autoexec_private.dispatch_allowance(autoexec.settings, text, timestamptz) is
  'Hands one rate-limit allowance''s free slots to the head of the line; when its next slot frees.';
