create or replace function autoexec_private.format_time(p_time timestamptz) returns text
language sql stable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path): it runs for
  -- every execution, and a SQL function that is not inlined is planned again on every call.
  select case when isfinite(p_time) then to_char(p_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')
    else 'never (the limit is 0)' end;
$$;
comment on function autoexec_private.format_time(timestamptz) is 'A time as people read it in status reasons.';
