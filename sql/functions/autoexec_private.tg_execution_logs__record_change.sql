create or replace function autoexec_private.tg_execution_logs__record_change() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- The executor leaves the execution's change in a transaction-local setting in the same round trip
  -- as the log's insert (src/engine/change.ts, diffStatement); failures, logged in a transaction of
  -- their own, find none.
  if new.diff is null and new.success then
    new.diff := nullif(current_setting('autoexec.execution_diff', true), '')::jsonb;
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_execution_logs__record_change() is
  'Fills execution_logs.diff with the change the executor kept for this transaction.';

create or replace trigger _200_record_change before insert on autoexec.execution_logs
  for each row execute function autoexec_private.tg_execution_logs__record_change();
