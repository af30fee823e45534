create or replace function autoexec_private.tg__set_updated_at() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function autoexec_private.tg__set_updated_at() is 'Keeps updated_at current on every UPDATE.';

create or replace trigger _100_set_updated_at before update on autoexec.actions
  for each row execute function autoexec_private.tg__set_updated_at();
create or replace trigger _100_set_updated_at before update on autoexec.settings
  for each row execute function autoexec_private.tg__set_updated_at();
create or replace trigger _100_set_updated_at before update on content.collections
  for each row execute function autoexec_private.tg__set_updated_at();
