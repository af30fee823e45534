create or replace function autoexec.actions_forecast(a autoexec.actions) returns text
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- GraphQL Action.forecast: for an action waiting in the line, its place and when it is expected to run
-- if nothing changes: "#4 of 312 in line; expected around 14:03 UTC". Null for any other action (its
-- status_reason says what it waits for). Cost: its place in line (plus one count of the line).
-- With phase 3's confident allowance set, the place and the time are within the action's allowance.
-- A limit of the action's own (its rate_limit_key's, its type's daily cap) that has no room before its
-- slot puts the time later and says which ("…; expected around 2026-12-02 09:00 UTC, when the limit
-- for shop:42 allows it: 3 per 24 hours"); the slot it cannot use goes to the next in line, which
-- this forecast does not move earlier (it is on the safe side for them).
declare
  s autoexec.settings;
  t autoexec.action_types;
  v_held_until timestamptz;
  v_held_by text;
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
  select * into t from autoexec.action_types where type = a.type;
  select h.held_until, h.held_by into v_held_until, v_held_by from autoexec_private.own_limit_hold(a, s, t) h;
  if v_at is null or v_held_until is null or v_held_until <= v_at then
    v_held_by := null;
  end if;
  return '#' || v_place || ' of ' || greatest(v_total, v_place) || ' in line; '
    || case
         when v_at is null then
           'no forecast: nothing runs until an admin switches auto-execution on or resets the breaker'
         when v_held_until = 'infinity' then 'not expected to run: ' || v_held_by || ' (raise it to let it run)'
         else 'expected around ' || autoexec_private.format_forecast_time(greatest(v_at, v_held_until))
           || coalesce(', when ' || v_held_by, '')
       end;
end;
$$;
comment on function autoexec.actions_forecast(autoexec.actions) is
  'For an action waiting in line for a rate-limit slot: its place in line and when it is expected to run if nothing changes.';
revoke all on function autoexec.actions_forecast(autoexec.actions) from public;
grant execute on function autoexec.actions_forecast(autoexec.actions) to autoexec_viewer;
