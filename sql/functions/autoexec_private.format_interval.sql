create or replace function autoexec_private.format_interval(p_span interval) returns text
language sql immutable
set search_path = pg_catalog
as $$
  -- "24 hours", "90 minutes", "1 hour", "45 seconds": a span as people say it (not "24:00:00").
  select case
    when n % 86400 = 0 and n > 172800 then (n / 86400) || ' days'
    when n % 3600 = 0 then (n / 3600) || case when n = 3600 then ' hour' else ' hours' end
    when n % 60 = 0 then (n / 60) || case when n = 60 then ' minute' else ' minutes' end
    else n || case when n = 1 then ' second' else ' seconds' end
  end
  from (select round(extract(epoch from p_span))::bigint as n) span;
$$;
comment on function autoexec_private.format_interval(interval) is 'A time span as people read it in status reasons ("24 hours").';
