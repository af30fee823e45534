-- Admin review that shows what will change (issue 14, part 1): the preview an approval was given,
-- the change each execution made, how long an undecided Tier 2 proposal stays in the queue, and
-- where the site shows a mod's page.

alter table autoexec.actions
  add column approved_preview jsonb check (jsonb_typeof(approved_preview) = 'object');
comment on column autoexec.actions.approved_preview is
  'The preview the approving admin was shown: {hash, expiresAtBefore}. If what the execution would change '
  'no longer matches hash, the action returns for review instead of executing.';

alter table autoexec.execution_logs
  add column diff jsonb check (jsonb_typeof(diff) = 'object');
comment on column autoexec.execution_logs.diff is
  'What the execution changed (for a dry run: would have changed): {before, after}, each the fields it '
  'touches as an admin reads them. Null for failures and for executions older than this column.';

alter table autoexec.settings
  add column pending_ttl interval not null default '14 days' check (pending_ttl > '0'),
  add column site_url text not null default 'https://musthavemods.com' check (site_url ~ '^https?://[^/]+$');
comment on column autoexec.settings.pending_ttl is
  'A Tier 2 proposal nobody approved or rejected within this time after it was proposed ends EXPIRED.';
comment on column autoexec.settings.site_url is
  'The public site (scheme and host, no trailing slash); a mod''s page is site_url/mods/slug.';

-- The sweep expires undecided Tier 2 proposals by age: this index finds the oldest pending ones.
create index actions_pending_tier_2_created_at_idx on autoexec.actions (created_at)
  where status = 'PENDING' and execution_tier = 2;
