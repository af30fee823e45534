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
    raise exception 'executed_by_kind is AUTO, APPROVED or MANUAL, got "%"', executed_by_kind using errcode = '22023';
  end if;
  select count(*) into v_matching from (
    select 1 from autoexec.execution_logs l
    where (count_execution_logs.mode is null or l.mode = count_execution_logs.mode)
      and (count_execution_logs.success is null or l.success = count_execution_logs.success)
      and (count_execution_logs.action_type is null or l.action_type = count_execution_logs.action_type)
      and (executed_by_kind is null
        or (executed_by_kind = 'AUTO' and l.executed_by = 'auto')
        or (executed_by_kind = 'APPROVED' and l.executed_by = 'approved')
        or (executed_by_kind = 'MANUAL' and l.executed_by not in ('auto', 'approved')))
    limit v_cap + 1
  ) t;
  return jsonb_build_object('matching', least(v_matching, v_cap), 'capped', v_matching > v_cap, 'cap', v_cap);
end;
$$;
comment on function autoexec.count_execution_logs(text, text, boolean, text) is
  'Counts execution logs for the history page''s filters, up to 10,000: {matching, capped, cap}.';
revoke all on function autoexec.count_execution_logs(text, text, boolean, text) from public;
grant execute on function autoexec.count_execution_logs(text, text, boolean, text) to autoexec_viewer;
