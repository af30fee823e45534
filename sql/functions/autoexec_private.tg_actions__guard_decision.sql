create or replace function autoexec_private.tg_actions__guard_decision() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The executor (the worker's login, the server's after `set role autoexec_executor`) may update an
-- action's status to record what an execution did, but it must not make the decisions that are an
-- admin's: approving an action (it then runs without passing the thresholds) or reviving a finished
-- one (it then runs again). Those come only from the admin functions (security definer, so they run as
-- the table's owner) or from a superuser by hand.
begin
  if new.status in ('PENDING', 'APPROVED') and new.status is distinct from old.status
     and not pg_has_role(current_user, (select relowner from pg_class where oid = tg_relid), 'usage') then
    raise exception 'only an admin''s decision (autoexec.approve_action) may make action % %; % may not',
      old.id, new.status, current_user
      using errcode = 'AE006';
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_actions__guard_decision() is
  'Refuses an UPDATE that approves or revives an action unless it comes from the admin functions.';

-- Only a change to PENDING or APPROVED can be refused: the others (every execution's) skip the call.
create or replace trigger _150_guard_decision before update of status on autoexec.actions
  for each row when (new.status in ('PENDING', 'APPROVED') and old.status is distinct from new.status)
  execute function autoexec_private.tg_actions__guard_decision();
