create or replace function autoexec.actions_review_deadline(a autoexec.actions) returns timestamptz
language sql stable
security definer
set search_path = pg_catalog
as $$
  -- When a pending Tier 2 proposal expires undecided (settings.pending_ttl after undecided_since), or
  -- sooner if the agent gave it an earlier expiry; null for anything not awaiting an approval.
  select case when a.status = 'PENDING' and a.execution_tier = 2
    then least(a.expires_at,
      autoexec_private.undecided_since(a.id, a.created_at) + (select pending_ttl from autoexec.settings)) end;
$$;
comment on function autoexec.actions_review_deadline(autoexec.actions) is
  'Until when a pending Tier 2 proposal can be decided before it expires (GraphQL: Action.reviewDeadline).';
revoke all on function autoexec.actions_review_deadline(autoexec.actions) from public;
grant execute on function autoexec.actions_review_deadline(autoexec.actions) to autoexec_viewer;
