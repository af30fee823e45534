create or replace function autoexec.set_action_type_mode(type text, mode text, daily_cap integer default null)
returns autoexec.action_types
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  t autoexec.action_types;
begin
  update autoexec.action_types set mode = set_action_type_mode.mode, daily_cap = set_action_type_mode.daily_cap
  where action_types.type = set_action_type_mode.type
  returning * into t;
  if not found then
    raise exception 'unknown action type "%"', set_action_type_mode.type using errcode = 'P0002';
  end if;
  return t;
exception
  when check_violation then
    raise exception 'cannot set % to mode % with daily cap %: %', set_action_type_mode.type, set_action_type_mode.mode,
      coalesce(set_action_type_mode.daily_cap::text, 'none'),
      case when sqlerrm like '%tier_3_is_never_executed%' then 'Tier 3 types are always disabled'
        else 'mode is disabled, dry_run or live and the cap is 0 or more' end
      using errcode = '23514';
end;
$$;
comment on function autoexec.set_action_type_mode(text, text, integer) is
  'Staged rollout for one action type (admins only): mode disabled, dry_run or live, and an optional daily cap.';
revoke all on function autoexec.set_action_type_mode(text, text, integer) from public;
grant execute on function autoexec.set_action_type_mode(text, text, integer) to autoexec_admin;
