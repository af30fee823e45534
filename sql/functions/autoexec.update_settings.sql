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
  remove_confident_allowance boolean default false,
  pending_ttl interval default null,
  site_url text default null
) returns autoexec.settings
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Every argument left out (null) keeps its current value; webhook_url '' removes the webhook;
-- remove_confident_allowance removes phase 3's confident allowance (the three confident_* settings). The
-- settings' audit trigger records who changed what (the API user, from jwt.claims.sub).
-- A new settings column needs an argument and a line here, and its bounds in autoexec.setting_limits
-- (the settings' trigger checks them and names the setting it refuses). migrate drops the old
-- signature when the argument list changes.
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
      else coalesce(update_settings.confident_daily_limit, settings.confident_daily_limit) end,
    pending_ttl = coalesce(update_settings.pending_ttl, settings.pending_ttl),
    site_url = coalesce(rtrim(btrim(update_settings.site_url), '/'), settings.site_url)
  returning * into s;
  return s;
end;
$$;
comment on function autoexec.update_settings is
  'Changes the engine''s settings (admins only). Arguments left out keep their value; webhook_url '''' removes the webhook. Audited.';
revoke all on function autoexec.update_settings from public;
grant execute on function autoexec.update_settings to autoexec_admin;
