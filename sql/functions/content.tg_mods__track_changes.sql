create or replace function content.tg_mods__track_changes() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  if new is not distinct from old then
    return new;
  end if;
  new.updated_at := now();
  -- The engine marks its own transactions; any other change counts as an outside edit, unless the
  -- statement sets externally_modified_at itself (imports and tests that backdate a page).
  if coalesce(current_setting('autoexec.engine_executing', true), '') <> 'on'
     and new.externally_modified_at is not distinct from old.externally_modified_at then
    new.externally_modified_at := now();
  end if;
  return new;
end;
$$;
comment on function content.tg_mods__track_changes() is
  'Stamps updated_at, and externally_modified_at unless the engine itself made the change.';

create or replace trigger _100_track_changes before update on content.mods
  for each row execute function content.tg_mods__track_changes();
