create or replace function autoexec.waiting_line_forecast() returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- GraphQL waitingLineForecast, the Queue page's summary of the line for rate-limit slots, if nothing
-- changes: how many wait, when the next slot frees, how many will run before the end of the UTC day,
-- and when the line is drained at the current limits (null: nothing runs until an admin acts, or the
-- line is empty). heldBy: what holds the whole line (switch, breaker, cooldown), or null. The drain
-- time is one pass over the line (about 0.1 s per 100,000 waiting).
declare
  s autoexec.settings;
  e autoexec.engine_state;
  v_waiting integer;
  v_times timestamptz[];
  v_midnight timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  select count(*) into v_waiting from autoexec.actions a where a.wait_kind = 'line';
  v_times := autoexec_private.slot_times(least(greatest(v_waiting, 1), 1000000));
  return jsonb_build_object(
    'waiting', v_waiting,
    'hourlyLimit', s.hourly_limit,
    'dailyLimit', s.daily_limit,
    'heldBy', autoexec_private.gate_reason(s, e),
    'nextSlotAt', v_times[1],
    'runsToday', case when v_times is null then 0
      else (select count(*) from unnest(v_times[1:v_waiting]) t where t < v_midnight) end,
    'drainsAt', case when v_waiting > 0 then v_times[v_waiting] end,
    'drainsAtText', case when v_waiting > 0 then autoexec_private.format_forecast_time(v_times[v_waiting]) end);
end;
$$;
comment on function autoexec.waiting_line_forecast() is
  'The line for rate-limit slots, if nothing changes: how many wait, the next slot, how many run today (UTC), when it drains.';
revoke all on function autoexec.waiting_line_forecast() from public;
grant execute on function autoexec.waiting_line_forecast() to autoexec_viewer;
