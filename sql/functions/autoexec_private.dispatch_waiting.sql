create or replace function autoexec_private.dispatch_waiting() returns jsonb
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The dispatch_waiting job (src/tasks/dispatch_waiting.ts), run whenever something changes or the next
-- slot frees. Its cost follows the number of free slots, not the backlog:
--   1. if the settings, engine state or action types changed since the last run, re-evaluate every
--      waiting action (once per change);
--   2. actions whose own wait ended ('until') rejoin the line (approved ones get their job);
--   3. under the engine's slot lock, count the free slots of the rolling hour and day (minus the
--      actions already dispatched) and hand exactly that many from the head of the line (highest
--      confidence × impact, then the oldest) to the executors, in jobs; the executors claim the slots
--      under the same lock, so no window is ever over its limit whatever happens meanwhile;
--   4. schedule itself for when the next slot frees, a cooldown ends or an action's own wait ends.
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_signature jsonb;
  v_reevaluated integer := 0;
  v_rejoined bigint[];
  v_approved bigint[];
  v_in_flight integer;
  v_hour integer;
  v_day integer;
  v_free integer := 0;
  v_picked bigint[] := '{}';
  v_next timestamptz;
  v_now timestamptz := now();
  v_more boolean := false;
begin
  -- One dispatcher at a time (a second run, woken meanwhile, waits here and then finds nothing to do).
  select w.signature into v_signature from autoexec_private.waiting_line_state w for update;
  if v_signature is distinct from autoexec_private.waiting_signature() then
    v_reevaluated := autoexec_private.reevaluate_waiting();
    update autoexec_private.waiting_line_state
      set signature = autoexec_private.waiting_signature(), evaluated_at = v_now;
  end if;
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;

  with due as (
    select a.id from autoexec.actions a
    where a.wait_kind = 'until' and a.deferred_until <= v_now
    order by a.deferred_until limit 500
    for update skip locked
  ), moved as (
    update autoexec.actions a set
      wait_kind = case when a.status = 'APPROVED' then null else 'line' end,
      deferred_until = null,
      status_reason = case when a.status = 'APPROVED' then 'queued for execution'
        else autoexec_private.line_reason(s, e) end
    from due where a.id = due.id
    returning a.id, a.wait_kind
  )
  select array_agg(id) filter (where wait_kind = 'line'), array_agg(id) filter (where wait_kind is null)
    into v_rejoined, v_approved from moved;
  v_more := coalesce(cardinality(v_rejoined), 0) + coalesce(cardinality(v_approved), 0) >= 500;
  perform autoexec_private.enqueue_executions(coalesce(v_approved, '{}'));

  -- A dispatched action whose job was lost (a minute is ages: executions take milliseconds) rejoins.
  update autoexec.actions set wait_kind = 'line', status_reason = autoexec_private.line_reason(s, e)
  where wait_kind = 'dispatched' and updated_at < v_now - interval '1 minute';

  if autoexec_private.gate_reason(s, e) is null
     and exists (select from autoexec.actions a where a.wait_kind = 'line') then
    perform from autoexec_private.engine_locks where name = 'execution_slots' for update;
    select count(*) into v_in_flight from autoexec.actions a where a.wait_kind = 'dispatched';
    select count(*) into v_hour from (
      select from autoexec.execution_logs l
      where l.success and l.mode = 'live' and l.executed_by = 'auto' and l.executed_at > clock_timestamp() - interval '1 hour'
      limit s.hourly_limit) w;
    select count(*) into v_day from (
      select from autoexec.execution_logs l
      where l.success and l.mode = 'live' and l.executed_by = 'auto' and l.executed_at > clock_timestamp() - interval '24 hours'
      limit s.daily_limit) w;
    v_free := greatest(least(s.hourly_limit - v_hour, s.daily_limit - v_day) - v_in_flight, 0);
    if v_free > 0 then
      with head as (
        select a.id from autoexec.actions a
        where a.wait_kind = 'line'
        order by a.expected_value desc, a.created_at, a.id
        limit v_free
        for update skip locked
      ), picked as (
        update autoexec.actions a set wait_kind = 'dispatched',
          status_reason = 'given a free rate-limit slot at ' || autoexec_private.format_time(v_now) || '; executing'
        from head where a.id = head.id
        returning a.id
      )
      select coalesce(array_agg(id order by id), '{}') into v_picked from picked;
      perform autoexec_private.enqueue_executions(v_picked);
    end if;
    -- When the slots are all taken (counting what was just dispatched), the next one frees when the
    -- oldest execution still counted leaves its window. Until the dispatched ones have run, that is not
    -- known yet: look again in a second.
    v_in_flight := v_in_flight + cardinality(v_picked);
    if exists (select from autoexec.actions a where a.wait_kind = 'line') then
      if s.hourly_limit - v_in_flight <= 0 or s.daily_limit - v_in_flight <= 0 then
        v_next := v_now + interval '1 second';
      else
        v_next := greatest(
          autoexec_private.window_frees_at(s.hourly_limit - v_in_flight, '1 hour', clock_timestamp(), null),
          autoexec_private.window_frees_at(s.daily_limit - v_in_flight, '24 hours', clock_timestamp(), null));
        if v_next is null then
          v_next := v_now + interval '1 second'; -- room, but the head was busy (locked): soon again
        end if;
      end if;
    end if;
  end if;

  -- What holds the line ends by itself (a freeze window, a cooldown), or a freeze window starts: the
  -- signature changes then, and the reasons must follow.
  v_next := least(v_next, autoexec_private.gate_until(s, e),
    (select min(f.starts_at) from autoexec.freeze_windows f where f.cancelled_at is null and f.starts_at > v_now));
  v_next := least(v_next, (select min(a.deferred_until) from autoexec.actions a where a.wait_kind = 'until'));
  if v_more then
    v_next := v_now;
  end if;
  if v_next is not null and isfinite(v_next) then
    perform autoexec_private.wake_dispatcher(greatest(v_next, v_now + interval '10 milliseconds'));
  end if;
  return jsonb_build_object('reevaluated', v_reevaluated, 'rejoined', coalesce(cardinality(v_rejoined), 0),
    'dispatched', cardinality(v_picked), 'freeSlots', v_free, 'next', v_next);
end;
$$;
comment on function autoexec_private.dispatch_waiting() is
  'Serves the waiting line: re-evaluates after a change, hands free slots to the most valuable actions, reschedules itself.';
