create or replace function autoexec_private.tg_actions__initial_wait() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- A Tier 1 action that could not run now waits from the start, without a job: behind the switch,
-- breaker or cooldown, for an admin (thresholds), or in the line when others already wait for a slot
-- (the dispatcher then decides, by value, who gets the next one). The rest get a job at once
-- (tg_actions__enqueue_executions) and the guard decides. security definer: the agent inserts, and may
-- not read the settings. Runs after _100_classify, which has set the tier from the catalogue.
declare
  t autoexec.action_types;
  s autoexec.settings;
  e autoexec.engine_state;
  v_reason text;
begin
  if new.execution_tier <> 1 then
    return new;
  end if;
  select * into t from autoexec.action_types where type = new.type;
  select * into s from autoexec.settings;
  select * into e from autoexec.engine_state;
  v_reason := autoexec_private.gate_reason(s, e);
  if v_reason is not null then
    new.wait_kind := 'line';
  elsif autoexec_private.type_gate_reason(t) is not null then
    new.wait_kind := 'type_off';
    v_reason := autoexec_private.type_gate_reason(t);
  else
    v_reason := autoexec_private.threshold_reason(new, s);
    if v_reason is not null then
      new.wait_kind := 'threshold';
    -- The probe reads the line's own index (its order), so it costs one index entry whatever the table holds.
    elsif not s.dry_run and t.mode = 'live' and exists (
      select from autoexec.actions l where l.wait_kind = 'line' order by l.expected_value desc, l.created_at, l.id limit 1
    ) then
      new.wait_kind := 'line';
      v_reason := autoexec_private.line_reason(s, e);
    end if;
  end if;
  new.status_reason := v_reason;
  return new;
end;
$$;
comment on function autoexec_private.tg_actions__initial_wait() is
  'Lets a new Tier 1 action that cannot run now wait from the start, without a job.';

create or replace trigger _110_initial_wait before insert on autoexec.actions
  for each row execute function autoexec_private.tg_actions__initial_wait();
