-- The tiers, defined once like 084's vocabularies: GraphQL serves them as the enum Tier (TIER_1, TIER_2,
-- TIER_3) built from these rows (src/http/graphql-vocabularies.ts); SQL and REST keep the numbers. Not an
-- `@enum` table: PostGraphile's enum tables take text keys, and the columns stay smallint (every guard
-- compares numbers). The columns and function arguments that hold a tier say so with `@vocabulary`.
create table autoexec.execution_tiers (
  tier smallint primary key check (tier between 1 and 3),
  description text not null
);
comment on table autoexec.execution_tiers is
  E'@behavior -*\nThe risk tiers of action types and actions (GraphQL: the enum Tier, TIER_1 to TIER_3).';
comment on column autoexec.execution_tiers.tier is 'The tier, as stored in action_types.tier and actions.execution_tier.';
comment on column autoexec.execution_tiers.description is 'What the engine does with an action of that tier.';
insert into autoexec.execution_tiers (tier, description) values
  (1, 'Tier 1: executes automatically under the guardrails.'),
  (2, 'Tier 2: executes once an admin approves it.'),
  (3, 'Tier 3: never executed by the engine; an admin implements it by hand.');

comment on column autoexec.action_types.tier is
  E'@vocabulary execution_tiers\n'
  '1: runs automatically under guardrails; 2: runs once an admin approves it; 3: recorded, never executed.';
comment on column autoexec.actions.execution_tier is
  E'@vocabulary execution_tiers\nCopied from the action type: 1 auto, 2 after approval, 3 manual only.';
comment on column autoexec.execution_logs.execution_tier is
  E'@vocabulary execution_tiers\nThe tier the action had when executed.';
comment on column autoexec.daily_executions.execution_tier is
  E'@vocabulary execution_tiers\nThe tier the action was executed at.';
-- The view's mode is an execution mode, as execution_logs.mode is (084).
comment on view autoexec.daily_executions is
  E'@foreignKey (mode) references autoexec.execution_modes (mode)\nExecutions per day, type, tier, mode and outcome.';

grant select on autoexec.execution_tiers to autoexec_agent, autoexec_viewer, autoexec_executor, autoexec_server;
