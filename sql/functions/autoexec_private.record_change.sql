create or replace function autoexec_private.record_change(p_action_id bigint, p_change jsonb, p_force boolean)
returns text
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Called by the executor after the handler ran, in the execution's transaction: keeps the change for
-- the execution log (tg_execution_logs__record_change copies it into the row) and, for an approved
-- action, compares it with the preview the admin approved. Returns why the action must go back for
-- review, or null when it may go on. An admin's forced execution is a decision of its own: not compared.
declare
  a autoexec.actions;
begin
  perform set_config('autoexec.execution_change', p_change::text, true);
  select * into a from autoexec.actions where id = p_action_id;
  if p_force or a.status is distinct from 'APPROVED' or a.approved_preview is null
     or a.approved_preview ->> 'hash' = autoexec_private.change_hash(p_change) then
    return null;
  end if;
  return 'returned for review: the content changed after ' || coalesce(a.reviewed_by, 'an admin') || ' approved it at '
    || autoexec_private.format_time(a.reviewed_at)
    || ', so this change is no longer the one that was approved; review the new preview';
end;
$$;
comment on function autoexec_private.record_change(bigint, jsonb, boolean) is
  'Keeps an execution''s change for its log; says why an approved action must return for review when the change is not the one approved.';
