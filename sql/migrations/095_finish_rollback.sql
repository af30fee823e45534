-- A rollback now opens with autoexec_private.start_rollback and ends with finish_rollback (which
-- replaces record_rollback), the mirror of an execution's start_execution and record_execution.
update autoexec_private.action_status_transitions
  set cause = 'an admin or the agent rolls its execution back (finish_rollback)'
  where from_status = 'EXECUTED' and to_status = 'ROLLED_BACK';
