create or replace function autoexec_private.tg__audit_changes() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Audits settings and per-type rollout changes, keeping only the columns that changed. data_schema
-- (action_types) is generated from the code at each migrate: nobody's decision, so not audited.
declare
  v_old jsonb := to_jsonb(old) - 'updated_at' - 'data_schema';
  v_new jsonb := to_jsonb(new) - 'updated_at' - 'data_schema';
  v_changed text[];
begin
  select array_agg(key order by key) into v_changed
  from jsonb_each(v_new) n where n.value is distinct from v_old -> n.key;
  if v_changed is null then
    return null;
  end if;
  perform autoexec_private.audit(
    tg_argv[0], tg_argv[1], v_new ->> 'type',
    (select jsonb_object_agg(key, v_old -> key) from unnest(v_changed) key),
    (select jsonb_object_agg(key, v_new -> key) from unnest(v_changed) key));
  return null;
end;
$$;
comment on function autoexec_private.tg__audit_changes() is 'Writes an audit event with the old and new values of what changed.';

create or replace trigger _900_audit after update on autoexec.settings
  for each row execute function autoexec_private.tg__audit_changes('settings.updated', 'settings');
create or replace trigger _900_audit after update on autoexec.action_types
  for each row execute function autoexec_private.tg__audit_changes('action_type.updated', 'action_type');
