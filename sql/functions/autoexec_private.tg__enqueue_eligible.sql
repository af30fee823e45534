create or replace function autoexec_private.tg__enqueue_eligible() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- A settings or rollout change can make waiting actions eligible: start them now, not at the next sweep.
  perform autoexec_private.enqueue_eligible();
  return null;
end;
$$;
comment on function autoexec_private.tg__enqueue_eligible() is 'Resumes waiting actions after a settings change.';

create or replace trigger _500_enqueue_eligible after update on autoexec.settings
  for each statement execute function autoexec_private.tg__enqueue_eligible();
create or replace trigger _500_enqueue_eligible after update on autoexec.action_types
  for each statement execute function autoexec_private.tg__enqueue_eligible();
