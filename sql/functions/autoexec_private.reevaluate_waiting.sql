create or replace function autoexec_private.reevaluate_waiting(p_batch integer default 1000) returns integer
language plpgsql volatile
set search_path = pg_catalog
as $$
-- After a change (waiting_signature differs): finds the waiting actions whose wait_kind changes and
-- rewrites at most p_batch of them (kind and reason; the caller runs again while it returns p_batch),
-- giving a job to those that may now run without a slot (an approved action, a dry run still to do).
-- The others are not written: what a change does to their words (new limits, a breaker, a cooldown)
-- is rendered when read (autoexec.actions_status_reason). So a change costs one read of the waiting
-- actions plus a write per action whose wait really changes, whatever the backlog. A wait of the
-- action's own ('until': recent edit, per-key or per-type limit) rejoins the line, where the guard
-- re-decides it exactly when it comes up. Dispatched actions are left alone.
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_gated boolean;
  v_run bigint[];
  v_changed integer;
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  v_gated := autoexec_private.gate_reason(s, e) is not null;
  with types as materialized ( -- each type's gate once, not once per action
    select t.type, autoexec_private.type_gate_reason(t) is not null as type_gated,
      (s.dry_run or t.mode = 'dry_run') as dry
    from autoexec.action_types t
  ), changing as (
    select c.id, c.kind from (
      select a.id, a.wait_kind,
        autoexec_private.waiting_kind(a.status, a.confidence, a.estimated_revenue_impact, s.min_confidence,
          s.min_revenue_impact, v_gated, ty.type_gated, ty.dry,
          ty.dry and exists (select from autoexec.execution_logs l
                             where l.action_id = a.id and l.mode = 'dry_run' and l.success)) as kind
      from autoexec.actions a
      join types ty on ty.type = a.type
      where a.wait_kind is not null and a.wait_kind <> 'dispatched' and a.status in ('PENDING', 'APPROVED')
    ) c
    where c.kind is distinct from c.wait_kind
    order by c.id
    limit p_batch
  ), changed as (
    update autoexec.actions a
    set wait_kind = ch.kind, deferred_until = null,
      status_reason = autoexec_private.waiting_reason(a, s, e, t, ch.kind)
    from changing ch, autoexec.action_types t
    where a.id = ch.id and t.type = a.type
    returning a.id, a.wait_kind
  )
  select array_agg(id order by id) filter (where wait_kind is null), count(*) into v_run, v_changed from changed;
  perform autoexec_private.enqueue_executions(coalesce(v_run, '{}'));
  return v_changed;
end;
$$;
comment on function autoexec_private.reevaluate_waiting(integer) is
  'After a change: rewrites (a batch of) the waiting actions whose kind of wait changed, and gives jobs to those that may run.';
