create or replace function autoexec.save_settings(
  changes jsonb default '{}',
  action_types jsonb default '[]',
  reason text default null
) returns autoexec.settings
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- The settings page's one save: the engine settings that changed (changes: {column: value}, e.g.
-- {"hourly_limit": 25, "cooldown": "30 minutes"}) and the action types that changed (action_types:
-- [{"type", "mode", "dailyCap"}]) in one transaction, so either all of it applies or none does.
-- A change that takes the engine live (enabled and out of dry run, from any other state), a type
-- going live, or a limit raised more than tenfold needs a reason; the reason is the note of every audit event this save writes.
declare
  s autoexec.settings;
  v_risky text[] := '{}';
  v_type jsonb;
  v_old_mode text;
  v_limit text;
  v_unknown text;
begin
  if jsonb_typeof(coalesce(changes, '{}')) <> 'object' or jsonb_typeof(coalesce(action_types, '[]')) <> 'array' then
    raise exception 'changes is an object and action_types a list' using errcode = 'AE001';
  end if;
  -- Exactly update_settings' arguments: a setting it cannot change is refused, not silently dropped.
  select string_agg(key, ', ') into v_unknown from jsonb_object_keys(coalesce(changes, '{}')) key
  where key not in (select unnest(p.proargnames) from pg_proc p
    where p.oid = 'autoexec.update_settings'::regproc);
  if v_unknown is not null then
    raise exception 'unknown setting %', v_unknown using errcode = 'AE001';
  end if;
  select * into s from autoexec.settings;
  -- Live = enabled and not in dry run: a save that ends there from anywhere else goes live.
  if coalesce((changes ->> 'enabled')::boolean, s.enabled) and not coalesce((changes ->> 'dry_run')::boolean, s.dry_run)
      and not (s.enabled and not s.dry_run) then
    v_risky := v_risky || case when s.dry_run then 'leaving dry run' else 'turning live auto-execution on' end;
  end if;
  foreach v_limit in array array['hourly_limit', 'daily_limit', 'rate_limit_key_limit'] loop
    if (changes ->> v_limit)::numeric > 10 * greatest((to_jsonb(s) ->> v_limit)::numeric, 1) then
      v_risky := v_risky || format('raising %s from %s to %s', v_limit, to_jsonb(s) ->> v_limit, changes ->> v_limit);
    end if;
  end loop;
  for v_type in select * from jsonb_array_elements(coalesce(action_types, '[]')) loop
    select t.mode into v_old_mode from autoexec.action_types t where t.type = v_type ->> 'type';
    if v_type ->> 'mode' = 'live' and v_old_mode is distinct from 'live' then
      v_risky := v_risky || format('%s going live', v_type ->> 'type');
    end if;
  end loop;
  if cardinality(v_risky) > 0 then
    perform autoexec_private.require_reason(reason, 'for ' || array_to_string(v_risky, ', '));
  end if;
  perform set_config('autoexec.audit_note', coalesce(btrim(reason), ''), true);
  -- update_settings with exactly the changed arguments, by name: a setting added to update_settings
  -- later is saved here without a change (the values are literals PostgreSQL casts to each argument's type).
  if exists (select from jsonb_object_keys(coalesce(changes, '{}'))) then
    execute format('select * from autoexec.update_settings(%s)',
      (select string_agg(format('%I => %L', key, value #>> '{}'), ', ') from jsonb_each(changes)))
      into s;
  end if;
  for v_type in select * from jsonb_array_elements(coalesce(action_types, '[]')) loop
    -- A null dailyCap in the page's list means "no cap", so it removes the cap rather than keeping it.
    perform autoexec.set_action_type_mode(v_type ->> 'type', v_type ->> 'mode', (v_type ->> 'dailyCap')::integer,
      (v_type ->> 'dailyCap') is null);
  end loop;
  perform set_config('autoexec.audit_note', '', true);
  return s;
exception
  when invalid_text_representation or invalid_datetime_format or numeric_value_out_of_range
    or datetime_field_overflow then
    raise exception 'settings refused: %', sqlerrm using errcode = 'AE001';
end;
$$;
comment on function autoexec.save_settings(jsonb, jsonb, text) is
  'Saves the settings page at once (admins only): changed settings and action types in one transaction; going live '
  'or raising a limit more than tenfold needs a reason, which every audit event of the save keeps.';
revoke all on function autoexec.save_settings(jsonb, jsonb, text) from public;
grant execute on function autoexec.save_settings(jsonb, jsonb, text) to autoexec_admin;
