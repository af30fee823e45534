create or replace function autoexec_private.allowance_limits(s autoexec.settings, p_allowance text)
returns table (hourly integer, daily integer)
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path): it runs for
  -- every execution, and a SQL function that is not inlined is planned again on every call.
  select case when p_allowance = 'confident' then coalesce(s.confident_hourly_limit, s.hourly_limit) else s.hourly_limit end,
         case when p_allowance = 'confident' then coalesce(s.confident_daily_limit, s.daily_limit) else s.daily_limit end;
$$;
comment on function autoexec_private.allowance_limits(autoexec.settings, text) is
  'The hourly and daily limits of a rate-limit allowance.';
