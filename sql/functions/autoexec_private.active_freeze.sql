create or replace function autoexec_private.active_freeze() returns autoexec.freeze_windows
language sql stable
set search_path = pg_catalog
as $$
  -- The freeze window in force now (of several overlapping ones, the one that ends last), or null.
  select f.* from autoexec.freeze_windows f
  where f.cancelled_at is null and f.starts_at <= now() and f.ends_at > now()
  order by f.ends_at desc limit 1;
$$;
comment on function autoexec_private.active_freeze() is 'The freeze window in force now, or null.';
