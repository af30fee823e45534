create or replace function autoexec.waiting_line_forecast() returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- GraphQL waitingLineForecast, the Queue page's summary of the line for rate-limit slots, if nothing
-- changes: how many wait, when the next slot frees, how many will run before the end of the UTC day,
-- and when the line is drained at the current limits (null: nothing runs until an admin acts, or the
-- line is empty). heldBy: what holds the whole line (switch, breaker, freeze, cooldown), or null. The
-- drain time is one pass over the line (about 0.1 s per 100,000 waiting). With phase 3's confident
-- allowance set, the figures are the general allowance's, and `confident` has its own.
declare
  s autoexec.settings;
  e autoexec.engine_state;
begin
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  return autoexec_private.allowance_forecast(s, e, null)
    || case when s.confident_min_confidence is null then '{}'::jsonb
       else jsonb_build_object('confident', autoexec_private.allowance_forecast(s, e, 'confident')
         || jsonb_build_object('minConfidence', s.confident_min_confidence)) end;
end;
$$;
comment on function autoexec.waiting_line_forecast() is
  'The line for rate-limit slots, if nothing changes: how many wait, the next slot, how many run today (UTC), when it drains.';
revoke all on function autoexec.waiting_line_forecast() from public;
grant execute on function autoexec.waiting_line_forecast() to autoexec_viewer;
