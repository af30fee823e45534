create or replace function autoexec.open_freeze_windows() returns setof autoexec.freeze_windows
language sql stable
set search_path = pg_catalog
as $$
  -- GraphQL openFreezeWindows: the windows in force or to come (not cancelled, not over), soonest first.
  select * from autoexec.freeze_windows f
  where f.cancelled_at is null and f.ends_at > now()
  order by f.starts_at, f.id;
$$;
comment on function autoexec.open_freeze_windows() is 'Freeze windows in force or planned (not cancelled, not over), soonest first.';
revoke all on function autoexec.open_freeze_windows() from public;
grant execute on function autoexec.open_freeze_windows() to autoexec_viewer;
