-- The rate-limit decision is serialised on a table lock instead of a row lock of engine_locks: the
-- shared path (no limit can bind) takes ROW SHARE, a weak relation lock that lives in memory only (in
-- the backend's fast-path slots when one is free, else in the shared lock table); concurrent FOR SHARE
-- on one row wrote its header, WAL and a new MultiXact on every execution. The counting path takes
-- EXCLUSIVE, which waits for every shared holder and excludes them, as FOR UPDATE did.
--
-- Nobody outside the engine can take a lock that conflicts with these: LOCK TABLE needs a privilege on
-- the table (UPDATE for these modes), which only autoexec_executor has, and the only lock any role can
-- take without one (ACCESS SHARE, by naming the table in a query) conflicts with neither mode.
-- The table stays empty and autovacuum skips it: a vacuum's SHARE UPDATE EXCLUSIVE would conflict with
-- EXCLUSIVE (an anti-wraparound vacuum still visits it, which takes a moment on an empty table).
create table autoexec_private.execution_slot_lock () with (autovacuum_enabled = false);
comment on table autoexec_private.execution_slot_lock is
  'Always empty: the engine locks this table to serialise the rate-limit check and the execution log it '
  'guards across every worker (ROW SHARE while no limit can bind, EXCLUSIVE while one can). Locking it '
  'needs UPDATE on it, which only the engine''s roles have.';
grant update on autoexec_private.execution_slot_lock to autoexec_executor;

drop table autoexec_private.engine_locks;
