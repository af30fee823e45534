create or replace function autoexec.current_settings() returns autoexec.settings
language sql stable
set search_path = pg_catalog
as $$
  select * from autoexec.settings;
$$;
comment on function autoexec.current_settings() is 'The engine''s switches and thresholds (the one settings row).';
revoke all on function autoexec.current_settings() from public;
grant execute on function autoexec.current_settings() to autoexec_viewer;
