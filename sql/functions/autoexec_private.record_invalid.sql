create or replace function autoexec_private.record_invalid(p_action_id bigint, p_reason text) returns void
language plpgsql volatile
set search_path = pg_catalog
as $$
declare
  v_was text;
begin
  select wait_kind into v_was from autoexec.actions where id = p_action_id;
  update autoexec.actions set
    status = 'INVALID',
    status_reason = p_reason,
    execution_result = jsonb_build_object('success', false, 'error', p_reason),
    deferred_until = null
  where id = p_action_id and status in ('PENDING', 'APPROVED'); -- a finished action stays as it ended
  -- It was given a slot it cannot use: the next in line gets it.
  if v_was = 'dispatched' then
    perform autoexec_private.wake_dispatcher();
  end if;
end;
$$;
comment on function autoexec_private.record_invalid(bigint, text) is
  'Ends an action whose data its handler refused; it is not retried.';
