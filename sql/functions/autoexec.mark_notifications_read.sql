create or replace function autoexec.mark_notifications_read(notification_ids bigint[])
returns setof autoexec.notifications
language sql volatile
security definer
set search_path = pg_catalog
as $$
  update autoexec.notifications set read_at = now()
  where id = any(notification_ids) and read_at is null
  returning *;
$$;
comment on function autoexec.mark_notifications_read(bigint[]) is 'Marks notifications read (admins only).';
revoke all on function autoexec.mark_notifications_read(bigint[]) from public;
grant execute on function autoexec.mark_notifications_read(bigint[]) to autoexec_admin;
