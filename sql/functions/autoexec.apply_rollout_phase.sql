create or replace function autoexec.apply_rollout_phase(phase integer)
returns setof autoexec.action_types
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- The PRD's rollout plan in one call (admins only):
--   1  dry run: engine on, global dry run on, every type dry-runs
--   2  limited: global dry run off; ADD_AFFILIATE_LINK live with at most 5 a day, every other type dry run
--   3  expanded: every Tier 1 and Tier 2 type live, no per-type caps, and "increase rate limits based
--      on confidence": actions with confidence 0.9 or more get their own allowance of 20 an hour and
--      100 a day (settings.confident_*; a documented example, change it with update_settings)
-- Tier 3 types stay disabled in every phase. Each change lands in the audit trail.
begin
  -- `null not in (…)` is null, not true: a missing phase must be refused too.
  if phase is null or phase not in (1, 2, 3) then
    raise exception 'rollout phase must be 1, 2 or 3, got %', coalesce(phase::text, 'none') using errcode = 'AE001';
  end if;
  update autoexec.settings set enabled = true, dry_run = (phase = 1),
    confident_min_confidence = case when phase = 3 then 0.9 end,
    confident_hourly_limit = case when phase = 3 then 20 end,
    confident_daily_limit = case when phase = 3 then 100 end;
  update autoexec.action_types t set
    mode = case
      when phase = 3 or (phase = 2 and t.type = 'ADD_AFFILIATE_LINK') then 'live'
      else 'dry_run' end,
    daily_cap = case when phase = 2 and t.type = 'ADD_AFFILIATE_LINK' then 5 end
  where t.tier < 3;
  return query select * from autoexec.action_types order by tier, type;
end;
$$;
comment on function autoexec.apply_rollout_phase(integer) is
  'Applies rollout phase 1 (dry run), 2 (affiliate links only, 5 a day) or 3 (all live) from PRD-18 (admins only).';
revoke all on function autoexec.apply_rollout_phase(integer) from public;
grant execute on function autoexec.apply_rollout_phase(integer) to autoexec_admin;
