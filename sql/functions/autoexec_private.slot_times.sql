create or replace function autoexec_private.slot_times(p_count integer, p_allowance text default null)
returns timestamptz[]
language plpgsql stable
set search_path = pg_catalog
as $$
-- When the next p_count automatic rate-limit slots of an allowance (null: the general one; 'confident':
-- phase 3's) free if nothing changes: slot k opens once the hourly limit-th execution before it is an
-- hour old and the daily limit-th before it a day old,
-- counting the last day's executions and the dispatched ones (as running now), and not before a
-- running cooldown ends. Per-key limits and type caps are not modelled. Null while the switch is off
-- or the breaker is open (nothing runs until an admin acts), or when a limit is 0.
-- Cost: p_count steps (the forecast of the whole line is one pass over it).
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_start timestamptz := now();
  v_times timestamptz[];
  v_known integer;
  v_at timestamptz;
  v_i integer;
  v_hourly integer;
  v_daily integer;
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  select l.hourly, l.daily into v_hourly, v_daily from autoexec_private.allowance_limits(s, p_allowance) l;
  if not s.enabled or e.breaker_open or v_hourly = 0 or v_daily = 0 or p_count < 1 then
    return null;
  end if;
  -- Nothing runs before a running cooldown or freeze window ends.
  v_start := greatest(v_start, autoexec_private.gate_until(s, e));
  v_times := array(
    select w.executed_at from (
      select l.executed_at from autoexec.execution_logs l
      where l.success and l.mode = 'live' and l.executed_by = 'auto' and l.executed_at > now() - interval '24 hours'
        and l.allowance is not distinct from p_allowance
      order by l.executed_at desc limit v_daily) w
    order by w.executed_at);
  v_times := v_times || array(select now() from autoexec.actions a where a.wait_kind = 'dispatched'
    and autoexec_private.allowance_of(a.confidence, s) is not distinct from p_allowance);
  v_known := coalesce(cardinality(v_times), 0);
  for v_step in 1 .. p_count loop
    v_i := v_known + v_step;
    v_at := v_start;
    if v_i > v_hourly then
      v_at := greatest(v_at, v_times[v_i - v_hourly] + interval '1 hour');
    end if;
    if v_i > v_daily then
      v_at := greatest(v_at, v_times[v_i - v_daily] + interval '24 hours');
    end if;
    v_times := v_times || v_at;
  end loop;
  return v_times[v_known + 1 : v_known + p_count];
end;
$$;
comment on function autoexec_private.slot_times(integer, text) is
  'When the next automatic rate-limit slots free if nothing changes (the forecast''s model).';
