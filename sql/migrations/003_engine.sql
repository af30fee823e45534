create table autoexec.action_types (
  type text primary key check (type ~ '^[A-Z][A-Z0-9_]*$'),
  tier smallint not null check (tier between 1 and 3),
  description text not null,
  mode text not null default 'live' check (mode in ('disabled', 'dry_run', 'live')),
  daily_cap integer check (daily_cap >= 0),
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  auto_executable boolean not null generated always as (tier = 1) stored,
  constraint tier_3_is_never_executed check (tier < 3 or mode = 'disabled')
);
comment on table autoexec.action_types is 'The catalogue of action types the agent may propose, with their risk tier.';
comment on column autoexec.action_types.tier is
  '1: runs automatically under guardrails; 2: runs once an admin approves it; 3: recorded, never executed.';
comment on column autoexec.action_types.mode is
  'Staged rollout: disabled (never run), dry_run (run and roll back), live. The global switch and dry run apply on top.';
comment on column autoexec.action_types.daily_cap is 'At most this many live executions per rolling 24 hours; null: no cap.';
comment on column autoexec.action_types.settings is 'Room for per-type settings.';
comment on column autoexec.action_types.auto_executable is 'Whether the engine runs actions of this type without approval.';

insert into autoexec.action_types (type, tier, mode, description) values
  ('ADD_AFFILIATE_LINK', 1, 'live', 'Add an affiliate link to a mod page. Non-destructive, can be removed.'),
  ('UPDATE_META_DESCRIPTION', 1, 'live', 'Replace a mod page''s meta description. SEO improvement, reversible.'),
  ('ADD_TO_COLLECTION', 1, 'live', 'Add a mod to an existing collection. Organisational, no content change.'),
  ('GENERATE_INTERNAL_LINK_SUGGESTIONS', 1, 'live', 'Suggest links to related mods. Suggestions only, a human places them.'),
  ('EXPAND_CONTENT', 2, 'live', 'Add text to a mod page. Quality must be reviewed.'),
  ('ADD_AD_SLOT', 2, 'live', 'Add an ad slot to a mod page. UX implications.'),
  ('CREATE_COLLECTION_PAGE', 2, 'live', 'Create a new collection page. SEO implications.'),
  ('REMOVE_CONTENT', 3, 'disabled', 'Remove content. Irreversible.'),
  ('CHANGE_URL', 3, 'disabled', 'Change a page URL. SEO disaster.'),
  ('MODIFY_USER_DATA', 3, 'disabled', 'Change user data. Privacy.'),
  ('EXTERNAL_API_CALL', 3, 'disabled', 'Call an external API. Rate limits, costs.'),
  ('CHANGE_PRICING', 3, 'disabled', 'Change pricing. Revenue risk.');

create table autoexec.settings (
  id boolean primary key default true check (id),
  enabled boolean not null default false,
  dry_run boolean not null default true,
  min_confidence numeric not null default 0.7 check (min_confidence between 0 and 1),
  min_revenue_impact numeric not null default 0.10 check (min_revenue_impact >= 0),
  hourly_limit integer not null default 10 check (hourly_limit >= 0),
  daily_limit integer not null default 50 check (daily_limit >= 0),
  rate_limit_key_limit integer not null default 3 check (rate_limit_key_limit >= 0),
  rate_limit_key_window interval not null default '24 hours' check (rate_limit_key_window > '0'),
  recent_edit_window interval not null default '24 hours' check (recent_edit_window >= '0'),
  failures_before_cooldown integer not null default 3 check (failures_before_cooldown >= 1),
  cooldown interval not null default '60 minutes' check (cooldown >= '0'),
  breaker_window integer not null default 20 check (breaker_window >= 1),
  breaker_min_executions integer not null default 10 check (breaker_min_executions >= 1),
  breaker_failure_rate numeric not null default 0.2 check (breaker_failure_rate between 0 and 1),
  max_attempts integer not null default 3 check (max_attempts >= 1),
  updated_at timestamptz not null default now()
);
comment on table autoexec.settings is 'The engine''s switches and thresholds: exactly one row.';
comment on column autoexec.settings.enabled is 'Global switch: when off nothing is executed (a new database starts off).';
comment on column autoexec.settings.dry_run is
  'Run handlers and roll their changes back, logging what would have happened (a new database starts on).';
comment on column autoexec.settings.min_confidence is 'Tier 1 runs only when confidence is strictly above this.';
comment on column autoexec.settings.min_revenue_impact is
  'Tier 1 runs only when estimated revenue impact (USD/month) is strictly above this.';
comment on column autoexec.settings.hourly_limit is 'Live Tier 1 executions per rolling hour, across all workers.';
comment on column autoexec.settings.daily_limit is 'Live Tier 1 executions per rolling 24 hours, across all workers.';
comment on column autoexec.settings.rate_limit_key_limit is
  'Live Tier 1 executions per rate_limit_key within rate_limit_key_window.';
comment on column autoexec.settings.recent_edit_window is
  'A Tier 1 action on a mod waits until nobody but the engine has changed the mod for this long.';
comment on column autoexec.settings.failures_before_cooldown is 'This many failed executions in a row start a cooldown.';
comment on column autoexec.settings.cooldown is 'How long execution pauses after failures_before_cooldown failures in a row.';
comment on column autoexec.settings.breaker_window is 'The circuit breaker looks at this many most recent executions.';
comment on column autoexec.settings.breaker_min_executions is 'The breaker opens only when at least this many ran.';
comment on column autoexec.settings.breaker_failure_rate is 'The breaker opens when the failed share is above this.';
comment on column autoexec.settings.max_attempts is 'An action whose execution failed this many times ends FAILED.';
insert into autoexec.settings default values;

create table autoexec.engine_state (
  id boolean primary key default true check (id),
  breaker_open boolean not null default false,
  breaker_opened_at timestamptz,
  breaker_reason text,
  breaker_reset_at timestamptz,
  breaker_reset_by text,
  breaker_reset_reason text,
  consecutive_failures integer not null default 0,
  cooldown_until timestamptz
);
comment on table autoexec.engine_state is 'Circuit breaker and cooldown state, shared by every worker: exactly one row.';
comment on column autoexec.engine_state.breaker_reset_at is
  'The breaker judges only executions after its last reset, so an old failure streak cannot reopen it.';
insert into autoexec.engine_state default values;

create table autoexec.affiliate_hosts (
  host text primary key check (host ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  path_pattern text not null default '^/',
  required_params jsonb not null default '{}' check (jsonb_typeof(required_params) = 'object'),
  description text not null default ''
);
comment on table autoexec.affiliate_hosts is
  'Allowlist for ADD_AFFILIATE_LINK: an https URL whose host is exactly one of these, whose path matches '
  'path_pattern (a regular expression) and whose query carries every required parameter with its value.';
insert into autoexec.affiliate_hosts (host, path_pattern, required_params, description) values
  ('amazon.com', '^/', '{"tag": "musthavemods"}', 'Amazon Associates; tag is our affiliate tag'),
  ('www.amazon.com', '^/', '{"tag": "musthavemods"}', 'Amazon Associates; tag is our affiliate tag'),
  ('patreon.com', '^/', '{}', 'Creator Patreon pages'),
  ('www.patreon.com', '^/', '{}', 'Creator Patreon pages'),
  ('store.steampowered.com', '^/', '{}', 'Steam store pages'),
  ('ea.com', '(^|/)store(/|$)', '{}', 'EA store pages'),
  ('www.ea.com', '(^|/)store(/|$)', '{}', 'EA store pages');

create table autoexec.actions (
  id bigint generated always as identity primary key,
  type text not null references autoexec.action_types (type),
  status text not null default 'PENDING',
  action_data jsonb not null,
  confidence numeric not null,
  estimated_revenue_impact numeric not null,
  auto_executable boolean not null default false,
  execution_tier smallint not null default 3,
  executed_at timestamptz,
  execution_result jsonb,
  execution_attempts integer not null default 0,
  last_attempt_at timestamptz,
  rate_limit_key text,
  idempotency_key text unique,
  expires_at timestamptz,
  status_reason text,
  deferred_until timestamptz,
  proposed_by text not null default current_user,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint actions_status_check check (
    status in ('PENDING', 'APPROVED', 'REJECTED', 'EXECUTED', 'FAILED', 'ROLLED_BACK', 'INVALID', 'EXPIRED')
  ),
  constraint actions_confidence_check check (confidence between 0 and 1),
  constraint actions_impact_check check (estimated_revenue_impact >= 0),
  constraint actions_action_data_check check (jsonb_typeof(action_data) = 'object'),
  constraint actions_tier_check check (execution_tier between 1 and 3),
  constraint actions_tier_3_not_auto check (execution_tier < 3 or not auto_executable)
);
create index actions_status_tier_idx on autoexec.actions (status, execution_tier, created_at);
create index actions_type_created_at_idx on autoexec.actions (type, created_at);
create index actions_created_at_idx on autoexec.actions (created_at);
comment on table autoexec.actions is
  'Actions proposed by the monetization agent. The agent INSERTs; tier and auto-executability come from action_types.';
comment on column autoexec.actions.status is
  'PENDING, APPROVED, REJECTED, EXECUTED, FAILED, ROLLED_BACK, INVALID (bad action_data) or EXPIRED.';
comment on column autoexec.actions.action_data is 'The action''s parameters: a JSON object, checked by its handler''s schema.';
comment on column autoexec.actions.confidence is 'The agent''s confidence, 0 to 1.';
comment on column autoexec.actions.estimated_revenue_impact is 'Estimated revenue impact in USD per month.';
comment on column autoexec.actions.auto_executable is 'Copied from the action type: runs without approval (Tier 1).';
comment on column autoexec.actions.execution_tier is 'Copied from the action type: 1 auto, 2 after approval, 3 manual only.';
comment on column autoexec.actions.execution_result is 'Outcome of the last attempt: {success, output?, error?, dryRun?}.';
comment on column autoexec.actions.rate_limit_key is 'Groups actions for the per-key rate limit, e.g. ''mod:123''.';
comment on column autoexec.actions.idempotency_key is 'A repeated key creates no second action.';
comment on column autoexec.actions.expires_at is 'After this the action is no longer executed and ends EXPIRED.';
comment on column autoexec.actions.status_reason is 'Why the action waits, or why it ended, in words.';
comment on column autoexec.actions.deferred_until is 'When a guard deferred the action, the time its next attempt is scheduled for.';
comment on column autoexec.actions.proposed_by is 'The database role that inserted the action.';

create table autoexec.execution_logs (
  id bigint generated always as identity primary key,
  action_id bigint not null references autoexec.actions (id),
  action_type text not null,
  execution_tier smallint not null,
  rate_limit_key text,
  executed_at timestamptz not null default now(),
  executed_by text not null,
  mode text not null check (mode in ('live', 'dry_run')),
  attempt integer not null,
  input_data jsonb not null,
  output_data jsonb,
  success boolean not null,
  error_message text,
  duration_ms integer not null check (duration_ms >= 0),
  rollback_data jsonb,
  rolled_back_at timestamptz,
  rolled_back_by text,
  rollback_reason text,
  check (success or error_message is not null),
  check ((rolled_back_at is null) = (rolled_back_by is null))
);
create index execution_logs_action_id_idx on autoexec.execution_logs (action_id, executed_at);
create index execution_logs_executed_at_idx on autoexec.execution_logs (executed_at);
create index execution_logs_type_executed_at_idx on autoexec.execution_logs (action_type, executed_at);
-- The rate-limit counts read only these indexes.
create index execution_logs_auto_live_idx on autoexec.execution_logs (executed_at)
  where success and mode = 'live' and executed_by = 'auto';
create index execution_logs_rate_limit_key_idx on autoexec.execution_logs (rate_limit_key, executed_at)
  where success and mode = 'live' and executed_by = 'auto' and rate_limit_key is not null;
-- Backstop against double execution: at most one successful live execution per action.
create unique index execution_logs_one_live_success_idx on autoexec.execution_logs (action_id)
  where success and mode = 'live';
comment on table autoexec.execution_logs is
  'One row per execution attempt (live or dry run): input, output, outcome and the data to roll it back.';
comment on column autoexec.execution_logs.executed_by is
  '''auto'' (Tier 1), ''approved'' (Tier 2 after approval) or the id of the user who ran it by hand.';
comment on column autoexec.execution_logs.mode is 'live, or dry_run (the changes were rolled back).';
comment on column autoexec.execution_logs.attempt is 'Which attempt of the action this was (1 = first).';
comment on column autoexec.execution_logs.output_data is 'What the execution did (for a dry run: what it would have done).';
comment on column autoexec.execution_logs.rollback_data is 'What is needed to undo the execution.';
comment on column autoexec.execution_logs.duration_ms is 'Time spent in the handler, in milliseconds.';

create table autoexec.notifications (
  id bigint generated always as identity primary key,
  kind text not null,
  severity text not null check (severity in ('info', 'warning', 'critical')),
  message text not null,
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notifications_unread_idx on autoexec.notifications (created_at) where read_at is null;
comment on table autoexec.notifications is 'Alerts and notices for admins (circuit breaker opened, cooldown, failures).';

grant select on autoexec.action_types to autoexec_agent;
grant select on autoexec.actions to autoexec_agent;
grant insert (type, action_data, confidence, estimated_revenue_impact, rate_limit_key, idempotency_key, expires_at)
  on autoexec.actions to autoexec_agent;
