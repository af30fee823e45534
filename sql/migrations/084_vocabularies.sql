-- Each vocabulary the engine speaks (statuses, modes, severities, wait kinds, decisions) is defined once,
-- as the rows of a table. PostGraphile turns an `@enum` table referenced by a foreign key into a GraphQL
-- enum; TypeScript checks its own lists against these rows (test/state-machine.test.ts).
--
-- Cold columns (action_types.mode, notifications.severity) get a real foreign key. The hot ones are
-- written by every execution (actions.status, actions.wait_kind, execution_logs.mode): a real foreign
-- key would take a FOR KEY SHARE lock on one vocabulary row per write, which concurrent workers share
-- (MultiXacts). They get a smart-tag foreign key for GraphQL instead, and are checked without a lock:
-- actions.status by the transition trigger (tg_actions__check_transition), the other two by their
-- CHECK constraints, which the test compares with these rows.

create table autoexec.action_statuses (
  status text primary key,
  description text not null
);
comment on table autoexec.action_statuses is
  E'@enum\n@enumName ActionStatus\nThe statuses of an action (docs/state_machine.md).';
comment on column autoexec.action_statuses.status is 'The status, as stored in autoexec.actions.status.';
comment on column autoexec.action_statuses.description is 'What the status means (shown in the GraphQL docs).';
insert into autoexec.action_statuses (status, description) values
  ('PENDING', 'Proposed: waits for the guards (Tier 1), an admin''s approval (Tier 2) or a person (Tier 3).'),
  ('APPROVED', 'An admin approved it: it executes as soon as the guards allow (Tier 3: implemented by hand).'),
  ('EXECUTED', 'Executed live (it may still be rolled back).'),
  ('FAILED', 'Every attempt failed; an admin may retry it.'),
  ('ROLLED_BACK', 'Executed, then undone.'),
  ('REJECTED', 'An admin rejected it.'),
  ('INVALID', 'Its handler refused its action_data.'),
  ('EXPIRED', 'It passed its expiry, or nobody decided it in time.'),
  ('IMPLEMENTED', 'A Tier 3 action an admin carried out by hand.');

create table autoexec_private.action_status_transitions (
  from_status text not null references autoexec.action_statuses,
  to_status text not null references autoexec.action_statuses,
  cause text not null,
  primary key (from_status, to_status),
  check (from_status <> to_status)
);
comment on table autoexec_private.action_status_transitions is
  'Every status change an action may make (docs/state_machine.md draws these rows); the trigger '
  'tg_actions__check_transition refuses any other.';
comment on column autoexec_private.action_status_transitions.from_status is 'The status the action leaves.';
comment on column autoexec_private.action_status_transitions.to_status is 'The status it enters.';
comment on column autoexec_private.action_status_transitions.cause is 'What makes it (function, trigger or decision).';
insert into autoexec_private.action_status_transitions (from_status, to_status, cause) values
  ('PENDING', 'APPROVED', 'an admin approves it (approve_action, approve_actions, decide_actions)'),
  ('PENDING', 'REJECTED', 'an admin rejects it (reject_action, decide_actions)'),
  ('PENDING', 'IMPLEMENTED', 'an admin marks a Tier 3 action implemented (mark_action_implemented)'),
  ('PENDING', 'EXECUTED', 'a live run succeeds (record_execution)'),
  ('PENDING', 'FAILED', 'the last allowed attempt fails (record_failure), or the guard gives up (record_decision)'),
  ('PENDING', 'INVALID', 'its handler refuses its data (record_invalid)'),
  ('PENDING', 'EXPIRED', 'its expires_at passes (sweep, the guard) or a Tier 2 proposal stays undecided (expire_undecided)'),
  ('APPROVED', 'REJECTED', 'an admin rejects it after all (reject_action, decide_actions)'),
  ('APPROVED', 'IMPLEMENTED', 'an admin marks a Tier 3 action implemented (mark_action_implemented)'),
  ('APPROVED', 'EXECUTED', 'a live run succeeds (record_execution)'),
  ('APPROVED', 'FAILED', 'the last allowed attempt fails (record_failure), or the guard gives up (record_decision)'),
  ('APPROVED', 'INVALID', 'its handler refuses its data (record_invalid)'),
  ('APPROVED', 'EXPIRED', 'its approval''s expires_at passes (sweep, the guard)'),
  ('APPROVED', 'PENDING', 'the content moved on from the change approved (return_for_review)'),
  ('FAILED', 'PENDING', 'an admin retries a Tier 1 action (retry_action)'),
  ('FAILED', 'APPROVED', 'an admin retries a Tier 2 action (retry_action)'),
  ('EXECUTED', 'ROLLED_BACK', 'an admin or the agent rolls its execution back (record_rollback)');
grant select on autoexec_private.action_status_transitions to autoexec_executor;

-- The transition trigger checks statuses from now on; the list lives in action_statuses only.
alter table autoexec.actions drop constraint actions_status_check;
comment on column autoexec.actions.status is
  'Where the action is in its life: one of autoexec.action_statuses; it changes only as '
  'autoexec_private.action_status_transitions allows (docs/state_machine.md).';

create table autoexec.wait_kinds (
  wait_kind text primary key,
  description text not null
);
comment on table autoexec.wait_kinds is E'@enum\n@enumName WaitKind\nWhy a pending or approved action waits.';
comment on column autoexec.wait_kinds.wait_kind is 'The kind, as stored in autoexec.actions.wait_kind.';
comment on column autoexec.wait_kinds.description is 'What the action waits for.';
insert into autoexec.wait_kinds (wait_kind, description) values
  ('line', 'In line for a rate-limit slot, or behind the switch, breaker or cooldown.'),
  ('dispatched', 'Picked for a slot; its job is queued.'),
  ('hold', 'Approved, behind the switch, breaker or cooldown.'),
  ('until', 'Its own time (a recent edit, its key''s or type''s limit): see deferred_until.'),
  ('threshold', 'Below the confidence or above the impact threshold: needs an admin.'),
  ('type_off', 'Its action type is disabled.'),
  ('dry_run_done', 'Its dry run succeeded; it runs for real once dry run is off.');

create table autoexec.execution_modes (
  mode text primary key,
  description text not null
);
comment on table autoexec.execution_modes is E'@enum\n@enumName ExecutionMode\nHow an execution ran.';
comment on column autoexec.execution_modes.mode is 'The mode, as stored in autoexec.execution_logs.mode.';
comment on column autoexec.execution_modes.description is 'What the mode means.';
insert into autoexec.execution_modes (mode, description) values
  ('live', 'The change was made.'),
  ('dry_run', 'The handler ran and its changes were rolled back.');

create table autoexec.action_type_modes (
  mode text primary key,
  description text not null
);
comment on table autoexec.action_type_modes is E'@enum\n@enumName ActionTypeMode\nWhat the engine does with an action type.';
comment on column autoexec.action_type_modes.mode is 'The mode, as stored in autoexec.action_types.mode.';
comment on column autoexec.action_type_modes.description is 'What the mode means.';
insert into autoexec.action_type_modes (mode, description) values
  ('disabled', 'Its actions wait; none executes.'),
  ('dry_run', 'Its actions run as dry runs only.'),
  ('live', 'Its actions execute for real.');
alter table autoexec.action_types
  drop constraint action_types_mode_check,
  add constraint action_types_mode_fkey foreign key (mode) references autoexec.action_type_modes;

create table autoexec.notification_severities (
  severity text primary key,
  description text not null
);
comment on table autoexec.notification_severities is E'@enum\n@enumName Severity\nHow urgent a notification is.';
comment on column autoexec.notification_severities.severity is 'The severity, as stored in autoexec.notifications.severity.';
comment on column autoexec.notification_severities.description is 'What it asks of an admin.';
insert into autoexec.notification_severities (severity, description) values
  ('info', 'For information.'),
  ('warning', 'Worth a look.'),
  ('critical', 'The engine stopped executing: act now.');
alter table autoexec.notifications
  drop constraint notifications_severity_check,
  add constraint notifications_severity_fkey foreign key (severity) references autoexec.notification_severities;

-- Not in GraphQL: what start_execution tells the executor, and the executor's own 'review' (src/vocabulary.ts
-- holds the same list).
create table autoexec_private.execution_decisions (
  decision text primary key,
  description text not null
);
comment on table autoexec_private.execution_decisions is
  'What start_execution decides for an action (autoexec_private.guard, then the rate-limit claim), and the '
  'executor''s review (the approved change moved on).';
comment on column autoexec_private.execution_decisions.decision is 'The decision, as start_execution returns it.';
comment on column autoexec_private.execution_decisions.description is 'What the executor does with it.';
insert into autoexec_private.execution_decisions (decision, description) values
  ('run', 'Execute now (live or dry run).'),
  ('no_slot', 'The guards allow it but the rate limits refuse: it waits for a slot.'),
  ('defer', 'Not now: it waits until a known time.'),
  ('wait', 'Not now: it waits for a change (a slot, an admin, its type switched on).'),
  ('end', 'Never: it ends in the guard''s final status (EXPIRED or FAILED).'),
  ('skip', 'Nothing to do (not executable, finished, or waiting for approval).'),
  ('review', 'The executor found the approved change moved on: back to PENDING (return_for_review).');

-- The hot columns' references, for GraphQL only (see the top of this file).
comment on table autoexec.actions is
  E'@foreignKey (status) references autoexec.action_statuses (status)\n'
  '@foreignKey (wait_kind) references autoexec.wait_kinds (wait_kind)\n'
  'Actions proposed by the monetization agent. The agent INSERTs; tier and auto-executability come from action_types.';
comment on table autoexec.execution_logs is
  E'@foreignKey (mode) references autoexec.execution_modes (mode)\n'
  'One row per execution attempt (live or dry run): input, output, outcome and the data to roll it back.';

grant select on autoexec.action_statuses, autoexec.wait_kinds, autoexec.execution_modes, autoexec.action_type_modes,
  autoexec.notification_severities
  to autoexec_agent, autoexec_viewer, autoexec_executor;
-- PostGraphile reads these rows as the server's login, which holds no other privilege, to build its enums.
grant usage on schema autoexec to autoexec_server;
grant select on autoexec.action_statuses, autoexec.wait_kinds, autoexec.execution_modes, autoexec.action_type_modes,
  autoexec.notification_severities to autoexec_server;
grant select on autoexec_private.execution_decisions to autoexec_executor;
