create or replace function autoexec_private.undecided_since(p_action_id bigint, p_created_at timestamptz)
returns timestamptz
language sql stable
security definer
set search_path = pg_catalog
as $$
  -- security definer: the worker's sweep calls it (expire_undecided) and may not read the audit trail.
  -- Since when an admin has been asked to decide a pending action: its proposal, or its latest return
  -- for review (return_for_review voided its approval because the content moved on), the later one.
  select greatest(p_created_at, (
    select max(e.occurred_at) from autoexec.audit_events e
    where e.subject_type = 'action' and e.subject_id = p_action_id::text
      and e.action = 'action.returned_for_review'));
$$;
comment on function autoexec_private.undecided_since(bigint, timestamptz) is
  'Since when a pending action awaits a decision: its proposal or its latest return for review.';
