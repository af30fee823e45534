-- The bounds of every numeric and interval setting, as data: the settings' trigger checks a change
-- against them (naming the setting), and the admin UI reads them to validate in the browser, so
-- neither copies the other. The CHECK constraints of the columns stay as the last line of defence;
-- test/settings-limits.test.ts keeps them and these rows in agreement.
create table autoexec.setting_limits (
  name text primary key,
  minimum numeric,
  minimum_exclusive boolean not null default false,
  maximum numeric,
  pattern text,
  pattern_in_words text,
  check (minimum is not null or maximum is not null or pattern is not null),
  check ((pattern is null) = (pattern_in_words is null))
);
comment on table autoexec.setting_limits is
  E'@behavior -connection +list -single\nThe bounds of each engine setting (autoexec.settings columns): checked on every change, read by the admin UI.';
comment on column autoexec.setting_limits.name is 'The autoexec.settings column.';
comment on column autoexec.setting_limits.minimum is
  'The smallest value allowed (intervals in seconds); null: no lower bound.';
comment on column autoexec.setting_limits.minimum_exclusive is 'The value must be more than minimum, not equal to it.';
comment on column autoexec.setting_limits.maximum is
  'The largest value allowed (intervals in seconds); null: no upper bound.';
comment on column autoexec.setting_limits.pattern is 'For text settings: a regular expression the value must match.';
comment on column autoexec.setting_limits.pattern_in_words is 'What the pattern asks for, as a refusal says it.';

insert into autoexec.setting_limits (name, minimum, minimum_exclusive, maximum, pattern, pattern_in_words) values
  ('min_confidence', 0, false, 1, null, null),
  ('min_revenue_impact', 0, false, null, null, null),
  ('hourly_limit', 0, false, 2147483647, null, null),
  ('daily_limit', 0, false, 2147483647, null, null),
  ('rate_limit_key_limit', 0, false, 2147483647, null, null),
  ('rate_limit_key_window', 0, true, null, null, null),
  ('recent_edit_window', 0, false, null, null, null),
  ('failures_before_cooldown', 1, false, 2147483647, null, null),
  ('cooldown', 0, false, null, null, null),
  ('breaker_window', 1, false, 2147483647, null, null),
  ('breaker_min_executions', 1, false, 2147483647, null, null),
  ('breaker_failure_rate', 0, false, 1, null, null),
  ('max_attempts', 1, false, 2147483647, null, null),
  ('approval_ttl', 0, true, null, null, null),
  ('rollback_retention', 0, true, null, null, null),
  ('webhook_url', null, false, null, '^https?://', 'an address that starts with http:// or https://'),
  ('stale_job_after', 1, false, null, null, null),
  ('type_breaker_window', 1, false, 2147483647, null, null),
  ('type_breaker_min_executions', 1, false, 2147483647, null, null),
  ('type_breaker_failure_rate', 0, false, 1, null, null),
  ('breaker_probes', 0, false, 2147483647, null, null),
  ('confident_min_confidence', 0, false, 1, null, null),
  ('confident_hourly_limit', 0, false, 2147483647, null, null),
  ('confident_daily_limit', 0, false, 2147483647, null, null),
  ('pending_ttl', 0, true, null, null, null),
  ('site_url', null, false, null, '^https?://[^/]+$', 'http:// or https:// and a host name, without a path');

grant select on autoexec.setting_limits to autoexec_viewer;

-- update_settings gains pending_ttl and site_url (the settings admins could not change). The old
-- argument list goes here, so sql/functions can name the one update_settings without its arguments.
drop function if exists autoexec.update_settings(boolean, boolean, numeric, numeric, integer, integer, integer,
  interval, interval, integer, interval, integer, integer, numeric, integer, interval, interval, text, interval, integer,
  integer, numeric, integer, numeric, integer, integer, boolean);
