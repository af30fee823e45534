create or replace function autoexec_private.decision_actions() returns text[]
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- action.*: one action decided; actions.*: a bulk decision listing its actions in new_values.actionIds.
  select '{action.approved,action.rejected,actions.approved,actions.rejected}'::text[];
$$;
comment on function autoexec_private.decision_actions() is
  'The audit events that record an admin''s approval or rejection (the review-time metrics count them).';
