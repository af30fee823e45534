create or replace function autoexec_private.waiting_kind(
  p_status text,
  p_confidence numeric,
  p_impact numeric,
  p_min_confidence numeric,
  p_min_impact numeric,
  p_gated boolean,
  p_type_gated boolean,
  p_dry boolean,
  p_dry_run_done boolean
) returns text
language sql immutable
as $$
  -- How a waiting action waits now (see autoexec.actions.wait_kind); null: it may run without a slot
  -- (an approved action, a dry run still to do), so it needs a job. A pending action whose confidence
  -- or impact is not above the settings' minimum needs an admin. The caller says what holds every action
  -- (p_gated: gate_reason), what holds the action's type (type_gate_reason), whether it runs as a dry
  -- run and whether that dry run already succeeded. One expression over scalars and no search_path,
  -- so that the planner inlines it: reevaluate_waiting runs it over the whole backlog.
  select case
    when p_gated then case when p_status = 'APPROVED' then 'hold' else 'line' end
    when p_type_gated then 'type_off'
    when p_status = 'PENDING' and (p_confidence <= p_min_confidence or p_impact <= p_min_impact) then 'threshold'
    when p_dry and p_dry_run_done then 'dry_run_done'
    when p_dry or p_status = 'APPROVED' then null
    else 'line'
  end;
$$;
comment on function autoexec_private.waiting_kind(text, numeric, numeric, numeric, numeric, boolean, boolean, boolean,
  boolean) is
  'How a waiting action waits now, given what holds the engine and its type (null: it needs a job).';
