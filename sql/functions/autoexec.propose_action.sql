create or replace function autoexec.propose_action(
  type text,
  action_data jsonb,
  confidence numeric,
  estimated_revenue_impact numeric,
  rate_limit_key text default null,
  idempotency_key text default null,
  expires_at timestamptz default null
) returns table (id bigint, status text, execution_tier smallint, status_reason text, created boolean)
language plpgsql volatile
set search_path = pg_catalog
as $$
#variable_conflict use_column
-- Security invoker on purpose: the insert runs with the caller's own privileges and triggers, exactly
-- like the agent's plain INSERT (proposed_by is the caller).
--
-- Why a function: one SQL statement cannot return a row that another transaction committed after the
-- statement's snapshot was taken, so "insert ... on conflict do nothing, else select" in one statement
-- returns nothing to a caller whose insert waited for a concurrent one. Here the insert waits for any
-- concurrent insert of the same key to end; the select after it is a new statement with a new snapshot
-- (READ COMMITTED), which sees the row that won.
begin
  for attempt in 1..2 loop
    insert into autoexec.actions
      (type, action_data, confidence, estimated_revenue_impact, rate_limit_key, idempotency_key, expires_at)
    values (propose_action.type, propose_action.action_data, propose_action.confidence,
      propose_action.estimated_revenue_impact, propose_action.rate_limit_key, propose_action.idempotency_key,
      propose_action.expires_at)
    on conflict (idempotency_key) do nothing
    returning id, status, execution_tier, status_reason into id, status, execution_tier, status_reason;
    if found then
      created := true;
      return next;
      return;
    end if;
    select a.id, a.status, a.execution_tier, a.status_reason into id, status, execution_tier, status_reason
    from autoexec.actions a where a.idempotency_key = propose_action.idempotency_key;
    if found then
      created := false;
      return next;
      return;
    end if;
    -- Not found: the conflicting row is invisible to this snapshot (REPEATABLE READ or SERIALIZABLE)
    -- or was removed meanwhile; a second round settles the latter.
  end loop;
  raise exception 'idempotency key % belongs to an action this transaction cannot see yet; retry the transaction',
    propose_action.idempotency_key
    using errcode = '40001', hint = 'call autoexec.propose_action in READ COMMITTED (the default)';
end;
$$;
comment on function autoexec.propose_action(text, jsonb, numeric, numeric, text, text, timestamptz) is
  E'@behavior -queryField -mutationField\n'
  'Proposes an action (the agent''s alternative to INSERT) and returns it; with an idempotency_key that '
  'already exists it creates nothing and returns the existing action (created = false), under any '
  'concurrency.';
revoke all on function autoexec.propose_action(text, jsonb, numeric, numeric, text, text, timestamptz) from public;
grant execute on function autoexec.propose_action(text, jsonb, numeric, numeric, text, text, timestamptz)
  to autoexec_agent;
