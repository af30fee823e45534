create or replace function autoexec_private.reevaluate_waiting() returns integer
language plpgsql volatile
set search_path = pg_catalog
as $$
-- After a change (waiting_signature differs): gives every waiting action its current verdict and
-- reason in one statement, and a job to those that may now run without a slot. Its cost follows the
-- backlog, but it runs once per change, never per freed slot. Dispatched actions are left alone.
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_run bigint[];
  v_changed integer;
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  with verdicts as (
    select a.id, nullif(v.kind, 'run') as kind, v.reason, v.until
    from autoexec.actions a
    join autoexec.action_types t on t.type = a.type
    cross join lateral autoexec_private.waiting_verdict(a, s, e, t) v
    where a.wait_kind is not null and a.wait_kind <> 'dispatched' and a.status in ('PENDING', 'APPROVED')
  ), changed as (
    update autoexec.actions a set wait_kind = v.kind, status_reason = v.reason, deferred_until = v.until
    from verdicts v
    where a.id = v.id
      and (a.wait_kind, a.status_reason, a.deferred_until) is distinct from (v.kind, v.reason, v.until)
    returning a.id, a.wait_kind
  )
  select array_agg(id order by id) filter (where wait_kind is null), count(*) into v_run, v_changed from changed;
  perform autoexec_private.enqueue_executions(coalesce(v_run, '{}'));
  return v_changed;
end;
$$;
comment on function autoexec_private.reevaluate_waiting() is
  'Re-evaluates every waiting action after a change: true reasons, and a job for those that may run.';
