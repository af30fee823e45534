create or replace function autoexec_private.tg_actions__check_transition() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Every writer of actions.status, the owner's included, passes here: a change that
-- action_status_transitions does not list (docs/state_machine.md) is refused, naming from and to.
begin
  if not exists (
    select from autoexec_private.action_status_transitions t
    where t.from_status = old.status and t.to_status = new.status
  ) then
    raise exception 'action % may not go from % to %', old.id, old.status, coalesce(new.status, 'null')
      using errcode = 'AE005',
        detail = case when exists (select from autoexec.action_statuses s where s.status = new.status)
          then 'docs/state_machine.md lists the changes an action may make'
          else 'known statuses: ' || (select string_agg(s.status, ', ' order by s.status) from autoexec.action_statuses s)
        end;
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_actions__check_transition() is
  'Refuses a status change that autoexec_private.action_status_transitions does not allow.';

-- After _150_guard_decision, so a login that may not decide at all hears that first.
create or replace trigger _160_check_transition before update of status on autoexec.actions
  for each row when (old.status is distinct from new.status)
  execute function autoexec_private.tg_actions__check_transition();
