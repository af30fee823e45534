-- New settings (per-type breakers and probes; the confident allowance) need the old argument lists dropped.
drop function if exists autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer,
  interval, interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval);
drop function if exists autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer,
  interval, interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval, integer,
  integer, numeric, integer);
create or replace function autoexec.update_settings(
  enabled boolean default null,
  dry_run boolean default null,
  min_confidence numeric default null,
  min_revenue_impact numeric default null,
  hourly_limit integer default null,
  daily_limit integer default null,
  rate_limit_key_limit integer default null,
  rate_limit_key_window interval default null,
  recent_edit_window interval default null,
  failures_before_cooldown integer default null,
  cooldown interval default null,
  breaker_window integer default null,
  breaker_min_executions integer default null,
  breaker_failure_rate numeric default null,
  max_attempts integer default null,
  approval_ttl interval default null,
  rollback_retention interval default null,
  webhook_url text default null,
  stale_job_after interval default null,
  type_breaker_window integer default null,
  type_breaker_min_executions integer default null,
  type_breaker_failure_rate numeric default null,
  breaker_probes integer default null,
  confident_min_confidence numeric default null,
  confident_hourly_limit integer default null,
  confident_daily_limit integer default null,
  remove_confident_allowance boolean default false
) returns autoexec.settings
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Every argument left out (null) keeps its current value; webhook_url '' removes the webhook;
-- remove_confident_allowance removes phase 3's confident allowance (the three confident_* settings). The
-- settings' audit trigger records who changed what (the API user, from jwt.claims.sub).
-- A new settings column needs a new argument here: drop this signature first (create or replace with
-- another argument list adds an overload, and the GraphQL mutation would become ambiguous).
declare
  s autoexec.settings;
begin
  update autoexec.settings set
    enabled = coalesce(update_settings.enabled, settings.enabled),
    dry_run = coalesce(update_settings.dry_run, settings.dry_run),
    min_confidence = coalesce(update_settings.min_confidence, settings.min_confidence),
    min_revenue_impact = coalesce(update_settings.min_revenue_impact, settings.min_revenue_impact),
    hourly_limit = coalesce(update_settings.hourly_limit, settings.hourly_limit),
    daily_limit = coalesce(update_settings.daily_limit, settings.daily_limit),
    rate_limit_key_limit = coalesce(update_settings.rate_limit_key_limit, settings.rate_limit_key_limit),
    rate_limit_key_window = coalesce(update_settings.rate_limit_key_window, settings.rate_limit_key_window),
    recent_edit_window = coalesce(update_settings.recent_edit_window, settings.recent_edit_window),
    failures_before_cooldown = coalesce(update_settings.failures_before_cooldown, settings.failures_before_cooldown),
    cooldown = coalesce(update_settings.cooldown, settings.cooldown),
    breaker_window = coalesce(update_settings.breaker_window, settings.breaker_window),
    breaker_min_executions = coalesce(update_settings.breaker_min_executions, settings.breaker_min_executions),
    breaker_failure_rate = coalesce(update_settings.breaker_failure_rate, settings.breaker_failure_rate),
    max_attempts = coalesce(update_settings.max_attempts, settings.max_attempts),
    approval_ttl = coalesce(update_settings.approval_ttl, settings.approval_ttl),
    rollback_retention = coalesce(update_settings.rollback_retention, settings.rollback_retention),
    webhook_url = case
      when update_settings.webhook_url is null then settings.webhook_url
      else nullif(btrim(update_settings.webhook_url), '') end,
    stale_job_after = coalesce(update_settings.stale_job_after, settings.stale_job_after),
    type_breaker_window = coalesce(update_settings.type_breaker_window, settings.type_breaker_window),
    type_breaker_min_executions = coalesce(update_settings.type_breaker_min_executions,
      settings.type_breaker_min_executions),
    type_breaker_failure_rate = coalesce(update_settings.type_breaker_failure_rate, settings.type_breaker_failure_rate),
    breaker_probes = coalesce(update_settings.breaker_probes, settings.breaker_probes),
    confident_min_confidence = case when remove_confident_allowance then null
      else coalesce(update_settings.confident_min_confidence, settings.confident_min_confidence) end,
    confident_hourly_limit = case when remove_confident_allowance then null
      else coalesce(update_settings.confident_hourly_limit, settings.confident_hourly_limit) end,
    confident_daily_limit = case when remove_confident_allowance then null
      else coalesce(update_settings.confident_daily_limit, settings.confident_daily_limit) end
  returning * into s;
  return s;
exception
  when check_violation then
    raise exception 'settings refused: %', case
      when sqlerrm ~ 'min_confidence|breaker_failure_rate' then 'min_confidence, breaker_failure_rate, type_breaker_failure_rate and confident_min_confidence are between 0 and 1'
      when sqlerrm ~ 'webhook_url' then 'webhook_url must start with http:// or https://'
      when sqlerrm ~ '_window|cooldown|approval_ttl|rollback_retention|stale_job_after' then 'time spans cannot be negative; rate_limit_key_window, approval_ttl and rollback_retention must be more than 0 and stale_job_after at least 1 second'
      else 'limits and breaker_probes are 0 or more; failures_before_cooldown, breaker_window, breaker_min_executions, type_breaker_window, type_breaker_min_executions and max_attempts are 1 or more'
    end using errcode = 'AE001';
end;
$$;
comment on function autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer, interval,
  interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval, integer, integer, numeric, integer, numeric, integer, integer, boolean) is
  'Changes the engine''s settings (admins only). Arguments left out keep their value; webhook_url '''' removes the webhook. Audited.';
revoke all on function autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer, interval,
  interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval, integer, integer, numeric, integer, numeric, integer, integer, boolean) from public;
grant execute on function autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer,
  interval, interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval, integer,
  integer, numeric, integer, numeric, integer, integer, boolean)
  to autoexec_admin;
