create or replace function autoexec_private.tg_execution_logs__guard_update() returns trigger
language plpgsql volatile
set search_path = pg_catalog
as $$
begin
  -- What happened is history: only the rollback columns may be filled in (once), and rollback_data
  -- may only be purged.
  if (to_jsonb(new) - array['rolled_back_at', 'rolled_back_by', 'rollback_reason', 'rollback_forced',
                            'rollback_data', 'rollback_data_purged_at'])
     is distinct from
     (to_jsonb(old) - array['rolled_back_at', 'rolled_back_by', 'rollback_reason', 'rollback_forced',
                            'rollback_data', 'rollback_data_purged_at'])
     or (old.rolled_back_at is not null
         and (new.rolled_back_at, new.rolled_back_by, new.rollback_reason, new.rollback_forced)
             is distinct from (old.rolled_back_at, old.rolled_back_by, old.rollback_reason, old.rollback_forced))
     or (old.rollback_data_purged_at is not null
         and new.rollback_data_purged_at is distinct from old.rollback_data_purged_at)
     or (new.rollback_data is distinct from old.rollback_data and new.rollback_data is not null) then
    raise exception 'autoexec.execution_logs is append-only: only a rollback or a purge of rollback data may change a row'
      using errcode = 'AE006';
  end if;
  return new;
end;
$$;
comment on function autoexec_private.tg_execution_logs__guard_update() is
  'Keeps execution logs append-only apart from recording a rollback and purging rollback data.';

create or replace trigger _100_guard_update before update on autoexec.execution_logs
  for each row execute function autoexec_private.tg_execution_logs__guard_update();
