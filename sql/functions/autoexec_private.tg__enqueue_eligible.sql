create or replace function autoexec_private.tg__enqueue_eligible() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- A change of settings, action types or the breaker and cooldown can let waiting actions run, or change
  -- why they wait: the dispatcher re-evaluates them now (it compares waiting_signature), not at the next sweep.
  perform autoexec_private.wake_dispatcher();
  return null;
end;
$$;
comment on function autoexec_private.tg__enqueue_eligible() is 'Wakes the dispatcher of the waiting line after a change.';

create or replace trigger _500_enqueue_eligible after update on autoexec.settings
  for each statement execute function autoexec_private.tg__enqueue_eligible();
create or replace trigger _500_enqueue_eligible after update on autoexec.action_types
  for each statement execute function autoexec_private.tg__enqueue_eligible();
create or replace trigger _500_enqueue_eligible after update on autoexec.type_breakers
  for each row when (old.breaker_open is distinct from new.breaker_open)
  execute function autoexec_private.tg__enqueue_eligible();
create or replace trigger _500_enqueue_eligible after update on autoexec.engine_state
  for each row when (old.breaker_open is distinct from new.breaker_open
                     or old.cooldown_until is distinct from new.cooldown_until)
  execute function autoexec_private.tg__enqueue_eligible();
