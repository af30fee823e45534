create or replace function autoexec_private.tg_notifications__publish() returns trigger
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
-- Every notification is announced on the `autoexec_notifications` channel (LISTEN autoexec_notifications)
-- and, when settings.webhook_url is set, queued for delivery by the deliver_notification task.
-- The announcement carries the id only: any role may LISTEN to any channel, the agent included, and
-- the texts are for those who may read autoexec.notifications.
begin
  perform pg_notify('autoexec_notifications', json_build_object('id', new.id)::text);
  if (select webhook_url from autoexec.settings) is not null then
    perform graphile_worker.add_job('deliver_notification', json_build_object('notificationId', new.id),
      job_key => 'deliver_notification:' || new.id, max_attempts => 10);
  end if;
  return null;
end;
$$;
comment on function autoexec_private.tg_notifications__publish() is
  'Announces a new notification''s id with pg_notify and queues its webhook delivery.';

create or replace trigger _500_publish after insert on autoexec.notifications
  for each row execute function autoexec_private.tg_notifications__publish();
