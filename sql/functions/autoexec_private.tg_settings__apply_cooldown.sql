create or replace function autoexec_private.tg_settings__apply_cooldown() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- A changed cooldown applies to the running one: it ends the new span after it started (at once, when
  -- that is already past). The engine_state trigger then wakes the dispatcher.
  update autoexec.engine_state set cooldown_until = cooldown_started_at + new.cooldown
  where cooldown_until > now() and cooldown_started_at is not null;
  return null;
end;
$$;
comment on function autoexec_private.tg_settings__apply_cooldown() is
  'Moves the end of a running cooldown when settings.cooldown changes.';

create or replace trigger _400_apply_cooldown after update of cooldown on autoexec.settings
  for each row when (old.cooldown is distinct from new.cooldown)
  execute function autoexec_private.tg_settings__apply_cooldown();
