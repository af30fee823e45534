create or replace function autoexec_private.dispatch_waiting() returns jsonb
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The dispatch_waiting job (src/tasks/dispatch_waiting.ts), run whenever something changes or the next
-- slot frees. Its cost follows the number of free slots, not the backlog:
--   1. if the settings, engine state or action types changed since the last run, re-evaluate the
--      waiting actions: only those whose kind of wait changes are written, c_batch per run (the
--      reasons of the others are rendered when read, autoexec.actions_status_reason);
--   2. actions whose own wait ended ('until') rejoin the line (approved ones get their job);
--   3. under the engine's slot lock (shared), for each allowance (dispatch_allowance), count the free
--      slots of the rolling hour and day (minus the actions already dispatched) and hand exactly that many from
--      the head of the line (highest confidence × impact, then the oldest) to the executors, in jobs;
--      the executors claim the slots under the same lock, so no window is ever over its limit whatever
--      happens meanwhile;
--   4. schedule itself for when the next slot frees, a cooldown ends or an action's own wait ends.
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_signature jsonb;
  v_current jsonb;
  v_reevaluated integer := 0;
  v_rejoined bigint[];
  v_approved bigint[];
  v_allowance text;
  v_some bigint[];
  v_free_now integer;
  v_next_now timestamptz;
  v_free integer := 0;
  v_picked bigint[] := '{}';
  v_next timestamptz;
  v_now timestamptz := now();
  v_more boolean := false;
  v_changed boolean;
  c_batch constant integer := 1000;
begin
  -- One dispatcher at a time (a second run, woken meanwhile, waits here and then finds nothing to do).
  select w.signature into v_signature from autoexec_private.waiting_line_state w for update;
  -- Read once, before re-evaluating: a change committed meanwhile must not be recorded as evaluated.
  v_current := autoexec_private.waiting_signature();
  if v_signature is distinct from v_current then
    v_reevaluated := autoexec_private.reevaluate_waiting(c_batch);
    if v_reevaluated < c_batch then
      update autoexec_private.waiting_line_state set signature = v_current, evaluated_at = v_now;
    else
      v_more := true; -- more waits change: the next run (at once) takes the next batch
    end if;
  end if;
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  -- A change committed after the signature was read would be dispatched with (these are read later)
  -- before it was evaluated: an action it lets into the line would lose the slot it frees. Hand out
  -- no slot then; the next run, at once, evaluates it first.
  v_changed := autoexec_private.waiting_signature() is distinct from v_current;
  v_more := v_more or v_changed;

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
  v_more := v_more or coalesce(cardinality(v_rejoined), 0) + coalesce(cardinality(v_approved), 0) >= 500;
  perform autoexec_private.enqueue_executions(coalesce(v_approved, '{}'));

  -- A dispatched action whose job was lost (a minute is ages: executions take milliseconds) rejoins.
  update autoexec.actions set wait_kind = 'line', status_reason = autoexec_private.line_reason(s, e)
  where wait_kind = 'dispatched' and updated_at < v_now - interval '1 minute';

  if not v_changed and autoexec_private.gate_reason(s, e) is null
     and exists (select from autoexec.actions a where a.wait_kind = 'line') then
    -- Shared: no automatic execution is between its slot claim (exclusive) and its commit while this
    -- is held, so the counts are exact; approved executions (shared too) never wait for the dispatcher.
    -- Dispatchers exclude each other through waiting_line_state, and the executors re-check every slot.
    lock table autoexec_private.execution_slot_lock in row share mode;
    -- The general allowance, and phase 3's confident one when it is set.
    for v_allowance in select unnest(case when s.confident_min_confidence is null then array[null::text]
                                          else array[null::text, 'confident'] end) loop
      select d.picked, d.free_slots, d.next_at into v_some, v_free_now, v_next_now
      from autoexec_private.dispatch_allowance(s, v_allowance, v_now) d;
      v_picked := v_picked || v_some;
      v_free := v_free + v_free_now;
      v_next := least(v_next, v_next_now);
    end loop;
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
