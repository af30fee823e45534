create or replace function autoexec_private.allowance_forecast(
  s autoexec.settings, e autoexec.engine_state, p_allowance text
) returns jsonb
language plpgsql stable
set search_path = pg_catalog
as $$
-- One allowance's part of autoexec.waiting_line_forecast(): its waiting actions, limits, next slot,
-- runs before the end of the UTC day and drain time. One pass over its part of the line.
declare
  v_waiting integer;
  v_hourly integer;
  v_daily integer;
  v_times timestamptz[];
  v_midnight timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
begin
  select l.hourly, l.daily into v_hourly, v_daily from autoexec_private.allowance_limits(s, p_allowance) l;
  select count(*) into v_waiting from autoexec.actions a
  where a.wait_kind = 'line' and autoexec_private.allowance_of(a.confidence, s) is not distinct from p_allowance;
  v_times := autoexec_private.slot_times(least(greatest(v_waiting, 1), 1000000), p_allowance);
  -- Actions held by a limit of their own (their key's, their type's daily cap) run no earlier than it
  -- allows (as in actions_forecast): the times of the whole line, each no earlier than its hold.
  if v_times is not null and exists (
       select from autoexec.actions a left join autoexec.action_types t on t.type = a.type
       where a.wait_kind = 'line' and (a.rate_limit_key is not null or t.daily_cap is not null)) then
    v_times := autoexec_private.line_times_with_holds(s, p_allowance, v_times);
  end if;
  return jsonb_build_object(
    'waiting', v_waiting,
    'hourlyLimit', v_hourly,
    'dailyLimit', v_daily,
    'heldBy', autoexec_private.gate_reason(s, e),
    'nextSlotAt', v_times[1],
    'runsToday', case when v_times is null then 0
      else (select count(*) from unnest(v_times[1:v_waiting]) t where t < v_midnight) end,
    'drainsAt', case when v_waiting > 0 and isfinite(v_times[v_waiting]) then v_times[v_waiting] end,
    'drainsAtText', case when v_waiting > 0 then coalesce(autoexec_private.format_forecast_time(
        nullif(v_times[v_waiting], 'infinity')), 'never: a limit of 0 holds some') end);
end;
$$;
comment on function autoexec_private.allowance_forecast(autoexec.settings, autoexec.engine_state, text) is
  'The forecast of one rate-limit allowance''s part of the line (waiting_line_forecast).';
