create or replace function autoexec_private.approval_moved_on(p_action_id bigint, p_change jsonb, p_mod_updated_at timestamptz)
returns text
language sql stable
set search_path = pg_catalog
as $$
  -- Called by the executor for an approved action, after its handler ran: an approval is of the change
  -- the admin saw. approve_action_as_seen kept its hash, which must equal the change's now. A plain
  -- approval (approve_action, approve_actions: no preview) is of the content as it was then, so the
  -- mod must not have changed since (p_mod_updated_at: its updated_at before this execution wrote it).
  -- Returns why the action must go back for review, else null.
  select 'returned for review: the content changed after ' || coalesce(a.reviewed_by, 'an admin') || ' approved it at '
    || autoexec_private.format_time(a.reviewed_at)
    || ', so this change is no longer the one that was approved; review the new preview'
  from autoexec.actions a
  where a.id = p_action_id and a.status = 'APPROVED'
    and case when a.approved_preview is not null
      then a.approved_preview ->> 'hash' is distinct from autoexec_private.change_hash(p_change)
      else p_mod_updated_at > a.reviewed_at end;
$$;
comment on function autoexec_private.approval_moved_on(bigint, jsonb, timestamptz) is
  'Why an approved action must return for review (its change is not the one approved, or its mod changed since a plain approval), or null.';
