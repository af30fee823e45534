-- action_types.settings ("room for per-type settings") was never read or written by anything: the
-- per-type settings that exist (mode, daily_cap) are columns of their own. It goes.
alter table autoexec.action_types drop column settings;

-- actions.auto_executable was copied from the action type by tg_actions__classify and then read by
-- nothing: it can only ever say execution_tier = 1, so the database now derives it from the row's own
-- tier and nobody can write it. (The check that a Tier 3 action is not auto-executable follows from the
-- expression and goes with the old column.)
alter table autoexec.actions drop column auto_executable;
alter table autoexec.actions add column auto_executable boolean not null generated always as (execution_tier = 1) stored;
comment on column autoexec.actions.auto_executable is
  'Derived from execution_tier (generated): true for Tier 1, which the engine runs without an admin''s approval.';
