-- Every argument left out keeps its value; remove_daily_cap removes the cap (a null daily_cap is
-- "left out", not "no cap").
create or replace function autoexec.set_action_type_mode(
  type text, mode text default null, daily_cap integer default null, remove_daily_cap boolean default false
)
returns autoexec.action_types
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
  t autoexec.action_types;
begin
  if remove_daily_cap and set_action_type_mode.daily_cap is not null then
    raise exception 'give either daily_cap or remove_daily_cap, not both' using errcode = 'AE001';
  end if;
  update autoexec.action_types set
    mode = coalesce(set_action_type_mode.mode, action_types.mode),
    daily_cap = case when remove_daily_cap then null
      else coalesce(set_action_type_mode.daily_cap, action_types.daily_cap) end
  where action_types.type = set_action_type_mode.type
  returning * into t;
  if not found then
    raise exception 'unknown action type "%"', set_action_type_mode.type using errcode = 'AE004';
  end if;
  return t;
exception
  when check_violation then
    raise exception 'cannot set % to mode % with daily cap %: %', set_action_type_mode.type,
      coalesce(set_action_type_mode.mode, 'unchanged'),
      coalesce(set_action_type_mode.daily_cap::text, case when remove_daily_cap then 'none' else 'unchanged' end),
      case when sqlerrm like '%tier_3_is_never_executed%' then 'Tier 3 types are always disabled'
        else 'mode is disabled, dry_run or live and the cap is 0 or more' end
      using errcode = 'AE001';
end;
$$;
comment on function autoexec.set_action_type_mode(text, text, integer, boolean) is
  E'@vocabulary mode action_type_modes\n'
  'Staged rollout for one action type (admins only): mode disabled, dry_run or live, and a daily cap. Arguments left out keep their value; remove_daily_cap removes the cap.';
revoke all on function autoexec.set_action_type_mode(text, text, integer, boolean) from public;
grant execute on function autoexec.set_action_type_mode(text, text, integer, boolean) to autoexec_admin;
