-- The columns of the scheduler's tables (migrations 040-042) that arrived without a comment: every
-- column explains itself in \d+ and in the GraphQL documentation (test/comments.test.ts).
comment on column autoexec_private.engine_locks.name is
  'Which decision the row serialises (execution_slots: the rate-limit check and the log insert it guards).';
comment on column autoexec_private.waiting_line_state.id is 'Always true: the table holds one row.';
comment on column autoexec_private.waiting_line_state.evaluated_at is
  'When the waiting actions were last re-evaluated against signature.';

comment on column autoexec.type_breakers.type is 'The action type this breaker pauses.';
comment on column autoexec.type_breakers.breaker_open is
  'True while this type is paused: none of its actions executes automatically until an admin resets it.';
comment on column autoexec.type_breakers.breaker_opened_at is 'When this breaker last opened.';
comment on column autoexec.type_breakers.breaker_reason is 'Why it opened, with the failure rate that opened it.';
comment on column autoexec.type_breakers.breaker_reset_by is 'The admin who last reset it.';
comment on column autoexec.type_breakers.breaker_reset_reason is 'The reason given for the last reset.';

comment on column autoexec.freeze_windows.id is 'The window''s id.';
comment on column autoexec.freeze_windows.starts_at is 'From when automatic execution waits.';
comment on column autoexec.freeze_windows.ends_at is 'Until when automatic execution waits; approvals made meanwhile run after it.';
comment on column autoexec.freeze_windows.created_by is 'The admin who defined the window.';
comment on column autoexec.freeze_windows.created_at is 'When it was defined.';
comment on column autoexec.freeze_windows.cancelled_by is 'The admin who cancelled it (null while it stands).';
comment on column autoexec.freeze_windows.cancel_reason is 'Why it was cancelled.';
