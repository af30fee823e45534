create or replace function autoexec.add_freeze_window(starts_at timestamptz, ends_at timestamptz, reason text)
returns autoexec.freeze_windows
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Adds a freeze window (admins only, audited): from starts_at to ends_at nothing executes automatically
-- and approved actions wait for its end; a forced execution still runs. Waiting actions show it with its
-- end at once (the dispatcher is woken now and scheduled for the window's start).
declare
  f autoexec.freeze_windows;
begin
  perform autoexec_private.require_reason(reason, 'for a freeze window');
  if add_freeze_window.starts_at is null or add_freeze_window.ends_at is null
     or add_freeze_window.ends_at <= add_freeze_window.starts_at then
    raise exception 'a freeze window must end after it starts (from % to %)',
      coalesce(autoexec_private.format_time(add_freeze_window.starts_at), 'null'),
      coalesce(autoexec_private.format_time(add_freeze_window.ends_at), 'null') using errcode = 'AE001';
  end if;
  if add_freeze_window.ends_at <= now() then
    raise exception 'a freeze window must end in the future (it ends %)',
      autoexec_private.format_time(add_freeze_window.ends_at) using errcode = 'AE001';
  end if;
  insert into autoexec.freeze_windows (starts_at, ends_at, reason, created_by)
  values (add_freeze_window.starts_at, add_freeze_window.ends_at, btrim(add_freeze_window.reason),
    autoexec_private.current_actor())
  returning * into f;
  perform autoexec_private.audit('freeze.added', 'freeze_window', f.id::text, null,
    jsonb_build_object('startsAt', f.starts_at, 'endsAt', f.ends_at), f.reason);
  perform autoexec_private.wake_dispatcher();
  perform autoexec_private.wake_dispatcher(f.starts_at);
  return f;
end;
$$;
comment on function autoexec.add_freeze_window(timestamptz, timestamptz, text) is
  'Adds a freeze window (admins only): no automatic execution from starts_at to ends_at; approvals run after it unless forced. Audited.';
revoke all on function autoexec.add_freeze_window(timestamptz, timestamptz, text) from public;
grant execute on function autoexec.add_freeze_window(timestamptz, timestamptz, text) to autoexec_admin;
