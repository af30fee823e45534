create or replace function autoexec_private.fold_rollups(p_batch integer default 100000) returns integer
language plpgsql volatile
security definer
-- No JIT: these plans are cheap, but their estimates are not, and compiling them took seconds.
set search_path = pg_catalog
set jit = off
as $$
-- Folds up to p_batch journal rows into the rollups and deletes them, in this one transaction: a
-- change is either still in the journal or in the rollups, never both, never neither. Only changes
-- whose transactions committed are visible, so one that commits late is simply folded next time.
-- Returns how many rows it folded (the crontab task repeats while that is p_batch). One folder at a
-- time: another one returns 0 at once.
declare
  v_folded integer;
begin
  if not pg_try_advisory_xact_lock(hashtext('autoexec_private.fold_rollups')) then
    return 0;
  end if;
  with taken as (
    delete from autoexec_private.rollup_journal j
    where j.ctid = any(array(select ctid from autoexec_private.rollup_journal limit p_batch))
    returning j.kind, j.subject_id
  ), logs as (
    select t.kind, l from taken t join autoexec.execution_logs l on l.id = t.subject_id
    where t.kind in ('executed', 'rolled_back')
  ), hours as (
    -- Hours first, then days and months from them: the log rows are grouped once.
    select date_trunc('hour', (x.l).executed_at, 'UTC') as hour, c.action_type, c.execution_tier, c.mode, c.executed_by,
      c.success, c.attempt, sum(c.executions) as executions, sum(c.rolled_back) as rolled_back,
      sum(c.duration_ms_sum) as duration_ms_sum
    from logs x
    cross join lateral autoexec_private.log_counts(x.l, x.kind) c
    group by 1, 2, 3, 4, 5, 6, 7
  ), counted as (
    insert into autoexec_private.execution_rollups as r
    select g.granularity, date_trunc(g.granularity, h.hour, 'UTC'), h.action_type, h.execution_tier, h.mode,
      h.executed_by, h.success, h.attempt, sum(h.executions), sum(h.rolled_back), sum(h.duration_ms_sum)
    from hours h cross join (values ('hour'), ('day'), ('month')) g(granularity)
    group by 1, 2, 3, 4, 5, 6, 7, 8
    on conflict (granularity, bucket_start, action_type, execution_tier, mode, executed_by, success, attempt)
    do update set executions = r.executions + excluded.executions, rolled_back = r.rolled_back + excluded.rolled_back,
      duration_ms_sum = r.duration_ms_sum + excluded.duration_ms_sum
  ), observed as (
    select (x.l).executed_at as at, h.* from logs x
    cross join lateral autoexec_private.log_histogram_values((x.l).action_id, (x.l).execution_tier, (x.l).mode, (x.l).executed_by, (x.l).success,
      (x.l).executed_at, (x.l).duration_ms) h
    where x.kind = 'executed'
    union all
    select e.occurred_at, h.* from taken t
    join autoexec.audit_events e on e.id = t.subject_id
    cross join lateral autoexec_private.decision_histogram_values(e) h
    where t.kind = 'decided'
  ), observed_hours as (
    select date_trunc('hour', o.at, 'UTC') as hour, o.metric, o.label, o.bin, count(*) as count
    from observed o group by 1, 2, 3, 4
  ), binned as (
    insert into autoexec_private.histogram_rollups as r
    select g.granularity, date_trunc(g.granularity, o.hour, 'UTC'), o.metric, o.label, o.bin, sum(o.count)
    from observed_hours o cross join (values ('hour'), ('day'), ('month')) g(granularity)
    group by 1, 2, 3, 4, 5
    on conflict (granularity, bucket_start, metric, label, bin) do update set count = r.count + excluded.count
  )
  select count(*) into v_folded from taken;

  with taken as (
    delete from autoexec_private.action_count_journal returning status, execution_tier, delta
  )
  insert into autoexec_private.action_counts as c
  select status, execution_tier, sum(delta) from taken group by 1, 2
  on conflict (status, execution_tier) do update set count = c.count + excluded.count;

  update autoexec_private.rollup_state set folded_at = now();
  return v_folded;
end;
$$;
comment on function autoexec_private.fold_rollups(integer) is
  'Moves up to p_batch journalled changes into the rollups (and every action count change); returns how many.';
