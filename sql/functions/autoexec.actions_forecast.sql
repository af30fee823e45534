create or replace function autoexec.actions_forecast(a autoexec.actions) returns text
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- GraphQL Action.forecast: for an action waiting in the line, its place and when it is expected to run
-- if nothing changes: "#4 of 312 in line; expected around 14:03 UTC". Null for any other action (its
-- status_reason says what it waits for). Cost: its place in line (plus one count of the line).
-- With phase 3's confident allowance set, the place and the time are within the action's allowance.
declare
  s autoexec.settings;
  v_allowance text;
  v_place bigint;
  v_total bigint;
  v_at timestamptz;
begin
  if a.wait_kind is distinct from 'line' then
    return null;
  end if;
  select * into s from autoexec.settings;
  v_allowance := autoexec_private.allowance_of(a.confidence, s);
  select count(*) + 1 into v_place from autoexec.actions l
  where l.wait_kind = 'line'
    and (l.expected_value > a.expected_value
         or (l.expected_value = a.expected_value and (l.created_at, l.id) < (a.created_at, a.id)))
    and autoexec_private.allowance_of(l.confidence, s) is not distinct from v_allowance;
  select count(*) into v_total from autoexec.actions l
  where l.wait_kind = 'line' and autoexec_private.allowance_of(l.confidence, s) is not distinct from v_allowance;
  v_at := (autoexec_private.slot_times(least(v_place, 1000000)::integer, v_allowance))[v_place::integer];
  return '#' || v_place || ' of ' || greatest(v_total, v_place) || ' in line; '
    || coalesce('expected around ' || autoexec_private.format_forecast_time(v_at),
                'no forecast: nothing runs until an admin switches auto-execution on or resets the breaker');
end;
$$;
comment on function autoexec.actions_forecast(autoexec.actions) is
  'For an action waiting in line for a rate-limit slot: its place in line and when it is expected to run if nothing changes.';
revoke all on function autoexec.actions_forecast(autoexec.actions) from public;
grant execute on function autoexec.actions_forecast(autoexec.actions) to autoexec_viewer;
