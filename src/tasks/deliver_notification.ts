import type { Task } from "graphile-worker";
import { z } from "zod";

const Payload = z.object({ notificationId: z.number().int().positive() });

interface Delivery {
  id: number;
  kind: string;
  severity: string;
  message: string;
  payload: unknown;
  created_at: Date;
  delivered_at: Date | null;
  webhook_url: string | null;
}

/**
 * Task `deliver_notification` (queued by the notifications trigger when settings.webhook_url is set):
 * POSTs the notification as JSON. A non-2xx answer or a network error throws, so graphile-worker
 * retries with exponential backoff (10 attempts).
 */
export const deliverNotificationTask: Task = async (payload, helpers) => {
  const parsed = Payload.safeParse(payload);
  if (!parsed.success) {
    helpers.logger.error(`deliver_notification job ${helpers.job.id} has a malformed payload`);
    return;
  }
  const { rows } = await helpers.query<Delivery>(
    `select n.id, n.kind, n.severity, n.message, n.payload, n.created_at, n.delivered_at, s.webhook_url
     from autoexec.notifications n cross join autoexec.settings s where n.id = $1`,
    [parsed.data.notificationId],
  );
  const notification = rows[0];
  if (!notification?.webhook_url || notification.delivered_at) return;
  const body = JSON.stringify({
    id: notification.id,
    kind: notification.kind,
    severity: notification.severity,
    message: notification.message,
    payload: notification.payload,
    createdAt: notification.created_at,
  });
  let failure: string | undefined;
  try {
    const response = await fetch(notification.webhook_url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "autoexec-notifications" },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) failure = `webhook answered HTTP ${response.status}`;
  } catch (error) {
    failure = `webhook unreachable: ${(error as Error).message}`;
  }
  await helpers.query(
    "update autoexec.notifications set delivered_at = case when $2::text is null then now() end, delivery_error = $2 where id = $1",
    [notification.id, failure ?? null],
  );
  if (failure) throw new Error(failure);
};
