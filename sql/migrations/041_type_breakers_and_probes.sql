-- Per-type circuit breakers, and half-open probing after any reset (docs/waiting.md, "Breakers").

alter table autoexec.settings
  add column type_breaker_window integer not null default 10 check (type_breaker_window >= 1),
  add column type_breaker_min_executions integer not null default 5 check (type_breaker_min_executions >= 1),
  add column type_breaker_failure_rate numeric not null default 0.5
    check (type_breaker_failure_rate between 0 and 1),
  add column breaker_probes integer not null default 3 check (breaker_probes >= 0);
comment on column autoexec.settings.type_breaker_window is
  'A type''s own breaker looks at this many of its most recent actions executed live.';
comment on column autoexec.settings.type_breaker_min_executions is 'A type''s breaker opens only once at least this many ran.';
comment on column autoexec.settings.type_breaker_failure_rate is
  'A type''s breaker opens (pausing that type alone) when its failed share is above this.';
comment on column autoexec.settings.breaker_probes is
  'After a breaker is reset, this many executions of its scope run as probes, one at a time; a failing probe '
  're-opens it at once. 0: no probing.';

create table autoexec.type_breakers (
  type text primary key references autoexec.action_types (type),
  breaker_open boolean not null default false,
  breaker_opened_at timestamptz,
  breaker_reason text,
  breaker_reset_at timestamptz,
  breaker_reset_by text,
  breaker_reset_reason text,
  probes_left integer not null default 0 check (probes_left >= 0)
);
comment on table autoexec.type_breakers is
  'One circuit breaker per action type: a type whose executions fail is paused alone, with an alert, until an '
  'admin resets it. The global breaker (engine_state) still judges the overall rate.';
comment on column autoexec.type_breakers.breaker_reset_at is 'Only executions after the last reset count.';
comment on column autoexec.type_breakers.probes_left is
  'Half-open: executions of this type still to run as probes (one at a time) after the last reset.';
insert into autoexec.type_breakers (type) select type from autoexec.action_types where tier < 3;

alter table autoexec.engine_state
  add column probes_left integer not null default 0 check (probes_left >= 0);
comment on column autoexec.engine_state.probes_left is
  'Half-open: executions still to run as probes (one at a time) after the global breaker was reset.';

grant select on autoexec.type_breakers to autoexec_viewer, autoexec_executor;
-- Like engine_state (migration 020), no login writes these: only security definer functions do
-- (evaluate_type_breaker, open_type_breaker, note_probe_outcome, reset_circuit_breaker).
