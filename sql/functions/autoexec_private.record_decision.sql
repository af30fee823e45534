create or replace function autoexec_private.record_decision(
  p_action_id bigint, p_decision text, p_reason text, p_retry_at timestamptz, p_final_status text,
  p_wait_kind text
) returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Records why an action did not execute now: the reason and how it waits (wait_kind). It holds no job
-- while it waits: the dispatcher is woken for the time it may run ('until': its own time; 'line': when
-- a slot frees or a cooldown ends). An action dispatched for a slot it did not use hands the slot back:
-- the dispatcher is woken now. The caller holds the action's row lock (start_execution).
declare
  v_was text;
begin
  if p_decision = 'skip' then
    return;
  end if;
  select wait_kind into v_was from autoexec.actions where id = p_action_id;
  update autoexec.actions set
    status = coalesce(p_final_status, status),
    status_reason = p_reason,
    wait_kind = case when p_decision in ('defer', 'wait') then p_wait_kind end,
    deferred_until = case when p_wait_kind = 'until' then p_retry_at end
  where id = p_action_id;
  if v_was = 'dispatched' then
    perform autoexec_private.wake_dispatcher();
  elsif p_decision in ('defer', 'wait') and p_retry_at is not null then
    perform autoexec_private.wake_dispatcher(p_retry_at);
  end if;
end;
$$;
comment on function autoexec_private.record_decision(bigint, text, text, timestamptz, text, text) is
  'Stores a guard''s "not now" (how it waits, and when to look again) or "never" (and ends the action).';
