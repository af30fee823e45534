-- Least-privilege roles for the admin API and the worker. test/http-privileges.test.ts compares every
-- role's privileges on every table, view, sequence, column and function with sql/privileges.tsv.
--
--   autoexec_viewer    (nologin) reads the autoexec schema: what the API's `viewer` JWT role runs as
--   autoexec_admin     (nologin) a viewer who may also call the admin functions (approve, settings, …)
--   autoexec_executor  (nologin) what executing and rolling back an action needs: content DML, the
--                      engine's bookkeeping columns, the private functions, enqueueing a job
--   autoexec_worker    (login)   executor + graphile-worker's own tables: what `npm run worker` logs in as
--   autoexec_server    (login, noinherit) the admin API's login: holds no privilege of its own, only
--                      SET ROLE to autoexec_viewer / autoexec_admin (per request, from the JWT) and
--                      autoexec_executor (the REST execute and rollback routes, after an admin check)
-- No login role is a superuser, owns anything or bypasses row-level security. Set their passwords in
-- production with `alter role autoexec_worker password '…'` (roles are cluster-wide).

do $$
begin
  if not exists (select from pg_roles where rolname = 'autoexec_executor') then
    create role autoexec_executor nologin;
  end if;
  if not exists (select from pg_roles where rolname = 'autoexec_worker') then
    create role autoexec_worker login;
  end if;
  if not exists (select from pg_roles where rolname = 'autoexec_server') then
    -- noinherit: a connection as autoexec_server can do nothing until it sets a role.
    create role autoexec_server login noinherit;
  end if;
end
$$;

-- Functions are not executable by PUBLIC unless a file grants it (as graphile/starter does): every
-- function created from now on by the migrating role starts with no grant at all.
alter default privileges revoke execute on functions from public;
revoke execute on all functions in schema autoexec_private from public;

-- Readers: the API's viewers and admins see everything in the autoexec schema, nothing private.
grant select on autoexec.actions, autoexec.action_types, autoexec.settings, autoexec.engine_state,
  autoexec.affiliate_hosts, autoexec.execution_logs, autoexec.notifications, autoexec.audit_events,
  autoexec.daily_executions, autoexec.action_history
  to autoexec_viewer;
grant autoexec_viewer to autoexec_admin;

-- The executor: exactly what src/engine (executor, rollback), the handlers and the tasks touch.
grant usage on schema autoexec, autoexec_private, content, graphile_worker to autoexec_executor;
grant select on autoexec.actions, autoexec.action_types, autoexec.settings, autoexec.engine_state,
  autoexec.affiliate_hosts, autoexec.execution_logs, autoexec.notifications
  to autoexec_executor;
grant update (status, status_reason, executed_at, execution_result, execution_attempts, last_attempt_at,
  deferred_until)
  on autoexec.actions to autoexec_executor;
grant insert (action_id, action_type, execution_tier, rate_limit_key, executed_at, executed_by, mode, attempt,
  input_data, output_data, success, error_message, duration_ms, rollback_data)
  on autoexec.execution_logs to autoexec_executor;
grant update (rolled_back_at, rolled_back_by, rollback_reason, rollback_forced, rollback_data,
  rollback_data_purged_at)
  on autoexec.execution_logs to autoexec_executor;
grant update (breaker_open, breaker_opened_at, breaker_reason, consecutive_failures, cooldown_until)
  on autoexec.engine_state to autoexec_executor;
grant insert (kind, severity, message, payload) on autoexec.notifications to autoexec_executor;
grant update (delivered_at, delivery_error) on autoexec.notifications to autoexec_executor;
grant insert (actor, action, subject_type, subject_id, old_values, new_values, note)
  on autoexec.audit_events to autoexec_executor;
grant select, insert, update, delete on all tables in schema content to autoexec_executor;
grant execute on all functions in schema autoexec_private to autoexec_executor;
alter default privileges in schema autoexec_private grant execute on functions to autoexec_executor;
alter default privileges in schema content grant select, insert, update, delete on tables to autoexec_executor;
-- Enqueueing from SQL (a deferred action reschedules its job) is graphile_worker.add_job.
grant execute on function graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[],
  text), graphile_worker.add_jobs(graphile_worker.job_spec[], boolean) to autoexec_executor;
grant select, insert, update on graphile_worker._private_tasks, graphile_worker._private_job_queues,
  graphile_worker._private_jobs to autoexec_executor;

-- The worker: the executor, plus graphile-worker's queue (it never migrates: npm run migrate does).
grant autoexec_executor to autoexec_worker;
grant select, insert, update, delete on all tables in schema graphile_worker to autoexec_worker;
revoke insert, update, delete on graphile_worker.migrations, graphile_worker.jobs from autoexec_worker;
grant usage on all sequences in schema graphile_worker to autoexec_worker;
grant execute on all functions in schema graphile_worker to autoexec_worker;
alter default privileges in schema graphile_worker grant select, insert, update, delete on tables to autoexec_worker;
alter default privileges in schema graphile_worker grant usage on sequences to autoexec_worker;
alter default privileges in schema graphile_worker grant execute on functions to autoexec_worker;

-- graphile-worker enables row-level security on its tables with no policy, so that only their owner
-- sees them. The worker (and the executor, which reschedules jobs with add_job) must not own them nor
-- bypass row-level security: these policies let exactly those roles in, and the grants above decide
-- what they may do. A graphile-worker upgrade that adds a table needs a policy here too (the privilege
-- test lists every policy).
create policy autoexec_engine on graphile_worker._private_jobs for all to autoexec_executor using (true)
  with check (true);
create policy autoexec_engine on graphile_worker._private_tasks for all to autoexec_executor using (true)
  with check (true);
create policy autoexec_engine on graphile_worker._private_job_queues for all to autoexec_executor using (true)
  with check (true);
create policy autoexec_engine on graphile_worker._private_known_crontabs for all to autoexec_worker using (true)
  with check (true);

-- The API server: SET ROLE only (noinherit).
grant autoexec_viewer, autoexec_admin, autoexec_executor to autoexec_server;

-- The stats function (autoexec.execution_stats) counts today's rollbacks with this index.
create index execution_logs_rolled_back_at_idx on autoexec.execution_logs (rolled_back_at)
  where rolled_back_at is not null;
