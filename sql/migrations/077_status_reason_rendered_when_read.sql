-- A waiting action's reason is worded when it is read (autoexec.actions_status_reason, GraphQL
-- Action.statusReason), so a change of limits no longer rewrites every waiting row. The column keeps
-- what the engine wrote; GraphQL shows it as writtenStatusReason.
comment on column autoexec.actions.status_reason is
  E'@name written_status_reason\n'
  'What the engine wrote when the action''s status or wait last changed: why it ended, or why it waited '
  'then. For an action still waiting, the limits or gates it quotes may have changed since (a change '
  'rewrites only the actions whose wait_kind changes): autoexec.actions_status_reason(a) words it with '
  'the settings in force now (GraphQL Action.statusReason).';
