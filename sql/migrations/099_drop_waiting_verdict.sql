-- waiting_verdict's file was removed before migrate recorded what sql/functions defines
-- (autoexec_private.managed_functions, 070), so a database from then would keep it; the drop used to
-- sit in reevaluate_waiting's file and be run on every migrate.
drop function if exists autoexec_private.waiting_verdict(autoexec.actions, autoexec.settings, autoexec.engine_state,
  autoexec.action_types);
