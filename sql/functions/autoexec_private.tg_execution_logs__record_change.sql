create or replace function autoexec_private.tg_execution_logs__record_change() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- record_change left the change in a transaction-local setting; failures (logged in a transaction
  -- of their own) find none.
  if new.diff is null and new.success then
    new.diff := nullif(current_setting('autoexec.execution_change', true), '')::jsonb;
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_execution_logs__record_change() is
  'Fills execution_logs.diff with the change record_change kept for this transaction.';

create or replace trigger _200_record_change before insert on autoexec.execution_logs
  for each row execute function autoexec_private.tg_execution_logs__record_change();
