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
  return jsonb_build_object(
    'waiting', v_waiting,
    'hourlyLimit', v_hourly,
    'dailyLimit', v_daily,
    'heldBy', autoexec_private.gate_reason(s, e),
    'nextSlotAt', v_times[1],
    'runsToday', case when v_times is null then 0
      else (select count(*) from unnest(v_times[1:v_waiting]) t where t < v_midnight) end,
    'drainsAt', case when v_waiting > 0 then v_times[v_waiting] end,
    'drainsAtText', case when v_waiting > 0 then autoexec_private.format_forecast_time(v_times[v_waiting]) end);
end;
$$;
comment on function autoexec_private.allowance_forecast(autoexec.settings, autoexec.engine_state, text) is
  'The forecast of one rate-limit allowance''s part of the line (waiting_line_forecast).';
