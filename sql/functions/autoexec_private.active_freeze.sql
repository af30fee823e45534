create or replace function autoexec_private.active_freeze() returns autoexec.freeze_windows
language plpgsql stable
as $$
-- The freeze window in force now (of several overlapping ones, the one that ends last), or null.
-- PL/pgSQL without a SET clause: every execution asks, and so its plan is kept for the session (a SQL
-- function that cannot be inlined is planned on every call); the callers pin search_path.
declare
  f autoexec.freeze_windows;
begin
  select * into f from autoexec.freeze_windows w
  where w.cancelled_at is null and w.starts_at <= now() and w.ends_at > now()
  order by w.ends_at desc limit 1;
  return f;
end;
$$;
comment on function autoexec_private.active_freeze() is 'The freeze window in force now, or null.';
