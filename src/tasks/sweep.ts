import type { Task } from "graphile-worker";
import type { Logger } from "../logger.ts";

/** Crontab task `sweep` (every minute): expires stale actions and enqueues eligible ones without a job. */
export function sweepTask(log: Logger): Task {
  return async (_payload, helpers) => {
    const { rows } = await helpers.query<{
      sweep: { expired: number; enqueued: number; unlockedWorkers: number };
    }>("select autoexec_private.sweep()");
    const result = rows[0]?.sweep;
    if (result && (result.expired || result.enqueued || result.unlockedWorkers)) log.info(result, "sweep");
  };
}
