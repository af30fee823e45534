create or replace function autoexec.count_execution_logs(
  executed_by_kind text default null,
  mode text default null,
  success boolean default null,
  action_type text default null
) returns jsonb
language plpgsql stable
security definer
set search_path = pg_catalog
as $$
-- How many execution logs match the history page's filters: {matching, capped, cap}, counted up to
-- 10,000 (capped: more than that). An exact count of a million logs costs far more than the page.
-- executed_by_kind: AUTO, APPROVED or MANUAL, as the executedByKind condition of allExecutionLogs.
declare
  v_cap constant integer := 10000;
  v_matching integer;
begin
  if executed_by_kind is not null and executed_by_kind not in ('AUTO', 'APPROVED', 'MANUAL') then
    raise exception 'executed_by_kind is AUTO, APPROVED or MANUAL, got "%"', executed_by_kind using errcode = 'AE001';
  end if;
  -- Constants in the text (not parameters), so the planner can use the partial index on failures.
  execute format('select count(*) from (select 1 from autoexec.execution_logs l where %s limit %s) t',
    concat_ws(' and ', 'true',
      case when mode is not null then format('l.mode = %L', mode) end,
      case when success is not null then case when success then 'l.success' else 'not l.success' end end,
      case when action_type is not null then format('l.action_type = %L', action_type) end,
      case executed_by_kind
        when 'AUTO' then 'l.executed_by = ''auto'''
        when 'APPROVED' then 'l.executed_by = ''approved'''
        when 'MANUAL' then 'l.executed_by not in (''auto'', ''approved'')' end),
    v_cap + 1) into v_matching;
  return jsonb_build_object('matching', least(v_matching, v_cap), 'capped', v_matching > v_cap, 'cap', v_cap);
end;
$$;
comment on function autoexec.count_execution_logs(text, text, boolean, text) is
  E'@vocabulary executed_by_kind executed_by_kinds\n@vocabulary mode execution_modes\n'
  'Counts execution logs for the history page''s filters, up to 10,000: {matching, capped, cap}.';
revoke all on function autoexec.count_execution_logs(text, text, boolean, text) from public;
grant execute on function autoexec.count_execution_logs(text, text, boolean, text) to autoexec_viewer;
