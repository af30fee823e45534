create or replace function autoexec_private.line_reason(s autoexec.settings, e autoexec.engine_state) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- The reason every action in the line shows. It quotes only what stays true until something changes
  -- (the limits, or what holds the whole engine), never the next slot's time or a place in line, which
  -- change with every freed slot: those are the forecast's (autoexec.actions_forecast).
  select coalesce(autoexec_private.gate_reason(s, e),
    'waiting in line for a rate-limit slot (' || s.hourly_limit || ' per rolling hour, ' || s.daily_limit
      || ' per rolling 24 hours' || coalesce('; confidence ' || s.confident_min_confidence || ' or more: '
        || coalesce(s.confident_hourly_limit, s.hourly_limit) || ' and '
        || coalesce(s.confident_daily_limit, s.daily_limit), '') || '); the most valuable run first');
$$;
comment on function autoexec_private.line_reason(autoexec.settings, autoexec.engine_state) is
  'The status_reason of an action waiting in the line.';
