create or replace function autoexec_private.bucket_end(p_granularity text, p_bucket_start timestamptz)
returns timestamptz
language sql immutable
as $$
  -- No SET clause, so that PostgreSQL inlines it into its callers (which pin search_path).
  -- In UTC whatever the session's zone: a month or a day is a UTC month or day.
  select ((p_bucket_start at time zone 'UTC') + ('1 ' || p_granularity)::interval) at time zone 'UTC';
$$;
comment on function autoexec_private.bucket_end(text, timestamptz) is
  'The end of the rollup bucket (hour, day or month, UTC) that starts at p_bucket_start.';
