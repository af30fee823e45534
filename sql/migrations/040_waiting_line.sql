-- How waiting works (docs/waiting.md): waiting actions hold no job; they wait in one value-ordered line
-- that a single dispatcher job serves, and the rate-limit decision is serialised on a row lock that only
-- the engine's roles can take (any role may take any advisory lock, the agent included).

create table autoexec_private.engine_locks (
  name text primary key
);
comment on table autoexec_private.engine_locks is
  'Rows the engine locks to serialise decisions across workers (FOR UPDATE / FOR SHARE). Locking a row needs '
  'UPDATE on the table, which only the engine''s roles have: nothing outside the engine can hold these locks.';
insert into autoexec_private.engine_locks (name) values ('execution_slots');
-- Row locks need UPDATE privilege; the column is the key and never changes.
grant select, update (name) on autoexec_private.engine_locks to autoexec_executor;

create table autoexec_private.waiting_line_state (
  id boolean primary key default true check (id),
  signature jsonb,
  evaluated_at timestamptz
);
comment on table autoexec_private.waiting_line_state is
  'The dispatcher''s memory: the settings, engine state and action types the waiting actions were last '
  'evaluated against. A different signature means something changed: every waiting action is re-evaluated.';
comment on column autoexec_private.waiting_line_state.signature is
  'Everything a waiting action''s verdict and reason depend on apart from the action itself (waiting_signature()).';
insert into autoexec_private.waiting_line_state default values;
grant select, update (signature, evaluated_at) on autoexec_private.waiting_line_state to autoexec_executor;

alter table autoexec.actions
  add column wait_kind text constraint actions_wait_kind_check check (
    wait_kind in ('line', 'dispatched', 'hold', 'until', 'threshold', 'type_off', 'dry_run_done')
  ),
  add column expected_value numeric generated always as (confidence * estimated_revenue_impact) stored;
comment on column autoexec.actions.wait_kind is
  'Why a pending or approved action waits (null: it does not, or has a job): line (for a rate-limit slot, or '
  'behind the switch, breaker or cooldown), dispatched (picked for a slot, its job queued), hold (approved, '
  'behind the switch, breaker or cooldown), until (its own time: a recent edit, its key''s or type''s limit; '
  'see deferred_until), threshold (needs an admin), type_off (its type is disabled), dry_run_done.';
comment on column autoexec.actions.expected_value is
  'confidence × estimated_revenue_impact: when slots are scarce the highest go first (ties: the oldest).';
-- The line, in the order slots are given out: the dispatcher reads its head, never the whole of it.
create index actions_line_idx on autoexec.actions (expected_value desc, created_at, id) where wait_kind = 'line';
create index actions_waiting_until_idx on autoexec.actions (deferred_until) where wait_kind = 'until';
create index actions_waiting_idx on autoexec.actions (wait_kind) where wait_kind is not null;
grant update (wait_kind) on autoexec.actions to autoexec_executor;

alter table autoexec.engine_state
  add column cooldown_started_at timestamptz;
comment on column autoexec.engine_state.cooldown_started_at is
  'When the running cooldown started: a changed settings.cooldown applies to it (cooldown_until moves).';
-- Written only by security definer functions (note_execution_outcome, clear_cooldown): no login may write
-- engine state itself (migration 020).

-- Actions that waited in their own jobs before this migration join the line; the dispatcher re-evaluates them.
update autoexec.actions set wait_kind = 'line', deferred_until = null
where status = 'PENDING' and execution_tier = 1 and status_reason is not null;
