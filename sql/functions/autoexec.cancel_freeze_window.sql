create or replace function autoexec.cancel_freeze_window(id bigint, reason text)
returns autoexec.freeze_windows
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Ends a running freeze window now, or withdraws a future one (admins only, audited); the waiting
-- actions resume at once.
declare
  f autoexec.freeze_windows;
begin
  perform autoexec_private.require_reason(reason, 'to cancel a freeze window');
  select * into f from autoexec.freeze_windows w where w.id = cancel_freeze_window.id for update;
  if f.id is null then
    raise exception 'freeze window % not found', cancel_freeze_window.id using errcode = 'AE004';
  end if;
  if f.cancelled_at is not null or f.ends_at <= now() then
    raise exception 'freeze window % is over already (%)', f.id,
      coalesce('cancelled by ' || f.cancelled_by || ' at ' || autoexec_private.format_time(f.cancelled_at),
               'ended at ' || autoexec_private.format_time(f.ends_at)) using errcode = 'AE005';
  end if;
  update autoexec.freeze_windows w set cancelled_at = now(), cancelled_by = autoexec_private.current_actor(),
    cancel_reason = btrim(cancel_freeze_window.reason)
  where w.id = f.id
  returning * into f;
  perform autoexec_private.audit('freeze.cancelled', 'freeze_window', f.id::text,
    jsonb_build_object('startsAt', f.starts_at, 'endsAt', f.ends_at), jsonb_build_object('cancelledAt', f.cancelled_at),
    f.cancel_reason);
  perform autoexec_private.wake_dispatcher();
  return f;
end;
$$;
comment on function autoexec.cancel_freeze_window(bigint, text) is
  'Ends a running freeze window now or withdraws a future one (admins only); a reason is required. Audited.';
revoke all on function autoexec.cancel_freeze_window(bigint, text) from public;
grant execute on function autoexec.cancel_freeze_window(bigint, text) to autoexec_admin;
