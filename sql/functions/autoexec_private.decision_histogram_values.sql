create or replace function autoexec_private.decision_histogram_values(e autoexec.audit_events)
returns table (metric text, label text, bin smallint)
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- One value per action an admin decided: the time from its proposal to the decision, labelled with
  -- its type. A bulk decision counts once per action it lists.
  select 'decision', a.type, autoexec_private.latency_bin(extract(epoch from e.occurred_at - a.created_at)::float8)
  from (
    select e.subject_id::bigint as id where e.subject_type = 'action' and e.action like 'action.%'
    union all
    select listed.id::bigint from jsonb_array_elements_text(e.new_values -> 'actionIds') listed(id)
    where e.subject_type = 'action_batch' and e.action like 'actions.%'
  ) decided
  -- One index lookup per decided action, whatever the estimates: jsonb_array_elements_text's guess of
  -- 100 rows per event made PostgreSQL 15 hash all of actions for the few events at a range's edges.
  cross join lateral (select a.type, a.created_at from autoexec.actions a where a.id = decided.id offset 0) a
  where e.action = any(autoexec_private.decision_actions());
$$;
comment on function autoexec_private.decision_histogram_values(autoexec.audit_events) is
  'The time-to-decision values one audit event adds to the rollups (one per action it approved or rejected).';
