-- Overrides that leave no trace are side doors. Two are closed here.
--
-- 1. The worker's login (and the server's, after `set role autoexec_executor`) could write the
--    engine's state directly, e.g. `update autoexec.engine_state set breaker_open = false`: no reason,
--    no audit. Now no login role may write it: the engine's own functions (security definer, see
--    sql/functions/autoexec_private.note_execution_outcome.sql) change it and audit every pause they
--    start, and only an admin closes the breaker, with a reason (autoexec.reset_circuit_breaker).
revoke update (breaker_open, breaker_opened_at, breaker_reason, consecutive_failures, cooldown_until)
  on autoexec.engine_state from autoexec_executor;

-- 2. An admin's forced execution (POST /api/monetization/execute with force) needed no reason and
--    recorded none. Now it must give one, and every attempt it makes says so in its log.
alter table autoexec.execution_logs
  add column force_reason text check (btrim(force_reason) <> '');
comment on column autoexec.execution_logs.force_reason is
  'Why an admin forced this execution past the guards (executed_by is that admin); null: not forced.';
grant insert (force_reason) on autoexec.execution_logs to autoexec_executor;
