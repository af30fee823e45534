create or replace function autoexec_private.tg__append_only() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  raise exception '% is append-only: rows cannot be %d', tg_table_schema || '.' || tg_table_name, lower(tg_op)
    using errcode = 'AE006';
end;
$$;
comment on function autoexec_private.tg__append_only() is 'Refuses UPDATE and DELETE on append-only tables.';

create or replace trigger _100_append_only before update or delete on autoexec.audit_events
  for each row execute function autoexec_private.tg__append_only();
create or replace trigger _100_append_only before delete on autoexec.execution_logs
  for each row execute function autoexec_private.tg__append_only();
