create or replace function autoexec_private.start_rollback(p_execution_log_id bigint)
returns table (action_id bigint, action_type text, input_data jsonb, rollback_data jsonb)
language plpgsql volatile
set search_path = pg_catalog
as $$
-- The opening of a rollback, the mirror of start_execution: mark the transaction as the engine's, lock
-- the execution log and its action until the rollback commits (a second rollback of it waits, then is
-- refused), and refuse what cannot be rolled back: AE004 when there is no such execution, AE005 when it
-- failed, was a dry run, was rolled back already or its rollback data was purged. Returns what the
-- action type's handler needs to undo it (src/engine/rollback.ts); finish_rollback records it.
declare
  l autoexec.execution_logs;
begin
  perform set_config('autoexec.engine_executing', 'on', true);
  select * into l from autoexec.execution_logs el where el.id = p_execution_log_id for update;
  if l.id is null then
    raise exception 'execution % not found', p_execution_log_id using errcode = 'AE004';
  end if;
  perform from autoexec.actions a where a.id = l.action_id for update;
  if not l.success then
    raise exception 'execution % failed, so it changed nothing to roll back', l.id using errcode = 'AE005';
  end if;
  if l.mode = 'dry_run' then
    raise exception 'execution % was a dry run and changed nothing', l.id using errcode = 'AE005';
  end if;
  if l.rolled_back_at is not null then
    raise exception 'execution % was already rolled back at % by % (%)', l.id,
      to_char(l.rolled_back_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), l.rolled_back_by,
      l.rollback_reason using errcode = 'AE005';
  end if;
  if l.rollback_data_purged_at is not null or l.rollback_data is null then
    raise exception 'the rollback data of execution % was purged on % (older than the retention period); it can no longer be rolled back',
      l.id, coalesce(to_char(l.rollback_data_purged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'an unknown date') using errcode = 'AE005';
  end if;
  return query select l.action_id, l.action_type, l.input_data, l.rollback_data;
end;
$$;
comment on function autoexec_private.start_rollback(bigint) is
  'Locks an execution for its rollback and refuses one that cannot be rolled back (AE004, AE005); returns what its handler needs.';
