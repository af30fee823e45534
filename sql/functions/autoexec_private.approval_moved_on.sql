create or replace function autoexec_private.approval_moved_on(p_action_id bigint, p_change jsonb) returns text
language sql stable
set search_path = pg_catalog
as $$
  -- Called by the executor for an approved action, after its handler ran: an approval is of the change
  -- the admin saw (approve_action_as_seen kept its hash). Returns why the action must go back for
  -- review when the change it would make now differs, else null (also when approved without a preview).
  select 'returned for review: the content changed after ' || coalesce(a.reviewed_by, 'an admin') || ' approved it at '
    || autoexec_private.format_time(a.reviewed_at)
    || ', so this change is no longer the one that was approved; review the new preview'
  from autoexec.actions a
  where a.id = p_action_id and a.status = 'APPROVED'
    and a.approved_preview ->> 'hash' is distinct from autoexec_private.change_hash(p_change)
    and a.approved_preview is not null;
$$;
comment on function autoexec_private.approval_moved_on(bigint, jsonb) is
  'Why an approved action must return for review (its change is not the one approved), or null.';
