create or replace function autoexec_private.record_invalid(p_action_id bigint, p_reason text) returns void
language sql volatile
set search_path = pg_catalog
as $$
  update autoexec.actions set
    status = 'INVALID',
    status_reason = p_reason,
    execution_result = jsonb_build_object('success', false, 'error', p_reason),
    deferred_until = null
  where id = p_action_id and status in ('PENDING', 'APPROVED'); -- a finished action stays as it ended
$$;
comment on function autoexec_private.record_invalid(bigint, text) is
  'Ends an action whose data its handler refused; it is not retried.';
