create or replace function autoexec_private.record_decision(
  p_action_id bigint, p_decision text, p_reason text, p_retry_at timestamptz, p_final_status text
) returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Records why an action did not execute now: the reason, and for a deferral the rescheduled job.
-- Only an action still waiting to execute takes it: the executor records a rate-limit deferral after
-- rolling its transaction back, when an admin may have decided in the meantime.
begin
  if p_decision = 'skip' then
    return;
  end if;
  update autoexec.actions set
    status = coalesce(p_final_status, status),
    status_reason = p_reason,
    deferred_until = case when p_decision = 'defer' then p_retry_at end
  where id = p_action_id and status in ('PENDING', 'APPROVED');
  if found and p_decision = 'defer' then
    perform autoexec_private.enqueue_execution(p_action_id, p_retry_at);
  end if;
end;
$$;
comment on function autoexec_private.record_decision(bigint, text, text, timestamptz, text) is
  'Stores a guard''s "not now" (and reschedules) or "never" (and ends the action).';
