create or replace function autoexec_private.format_forecast_time(p_time timestamptz) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- "14:03 UTC" today (UTC), "2026-12-02 14:03 UTC" on another day: a forecast is good to the minute.
  select case
    when p_time is null then null
    when date_trunc('day', p_time, 'UTC') = date_trunc('day', now(), 'UTC')
      then to_char(p_time at time zone 'UTC', 'HH24:MI "UTC"')
    else to_char(p_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
  end;
$$;
comment on function autoexec_private.format_forecast_time(timestamptz) is 'A forecast''s time, to the minute, with its zone.';
