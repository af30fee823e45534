create or replace function autoexec_private.tg_actions__clear_wait() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- A finished action waits for nothing: whatever ended it (execution, rejection, expiry, an admin),
  -- it leaves the line and every other wait.
  if new.status not in ('PENDING', 'APPROVED') then
    new.wait_kind := null;
    new.deferred_until := null;
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_actions__clear_wait() is 'Takes a finished action out of every wait.';

create or replace trigger _200_clear_wait before update of status on autoexec.actions
  for each row when (new.status not in ('PENDING', 'APPROVED') and new.wait_kind is not null)
  execute function autoexec_private.tg_actions__clear_wait();
