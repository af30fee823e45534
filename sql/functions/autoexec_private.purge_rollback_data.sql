create or replace function autoexec_private.purge_rollback_data(p_batch_size integer default 5000) returns integer
language plpgsql volatile
set search_path = pg_catalog
as $$
-- Removes one batch of rollback data older than settings.rollback_retention, keeping the log rows and
-- recording the purge. Returns how many rows it purged; the caller repeats until 0, one short
-- transaction per batch, so millions of rows never hold long locks. Uses execution_logs_purge_idx.
declare
  v_purged integer;
begin
  with expired as (
    select l.id from autoexec.execution_logs l
    where l.rollback_data is not null
      and l.executed_at < now() - (select rollback_retention from autoexec.settings)
    order by l.executed_at
    limit p_batch_size
    for update skip locked
  )
  update autoexec.execution_logs l set rollback_data = null, rollback_data_purged_at = now()
  from expired where l.id = expired.id;
  get diagnostics v_purged = row_count;
  return v_purged;
end;
$$;
comment on function autoexec_private.purge_rollback_data(integer) is
  'Purges one batch of rollback data past the retention period; returns the number of rows purged.';
