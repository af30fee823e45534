create or replace function autoexec_private.record_decision(
  p_action_id bigint, p_decision text, p_reason text, p_retry_at timestamptz, p_final_status text
) returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Records why an action did not execute now: the reason, and for a deferral the rescheduled job. The
-- caller holds the action's row lock (start_execution).
begin
  if p_decision = 'skip' then
    return;
  end if;
  update autoexec.actions set
    status = coalesce(p_final_status, status),
    status_reason = p_reason,
    deferred_until = case when p_decision = 'defer' then p_retry_at end
  where id = p_action_id;
  if p_decision = 'defer' then
    perform autoexec_private.enqueue_execution(p_action_id, p_retry_at);
  end if;
end;
$$;
comment on function autoexec_private.record_decision(bigint, text, text, timestamptz, text) is
  'Stores a guard''s "not now" (and reschedules) or "never" (and ends the action).';
