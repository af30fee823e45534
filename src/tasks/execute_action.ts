import type { Task } from "graphile-worker";
import { z } from "zod";
import { type ExecutorDeps, executeAction } from "../engine/executor.ts";

const Payload = z.object({ actionId: z.number().int().positive() });

/** graphile-worker task `execute_action`: payload `{actionId}`, enqueued by SQL (see enqueue_execution). */
export function executeActionTask(deps: ExecutorDeps): Task {
  return async (payload, helpers) => {
    const parsed = Payload.safeParse(payload);
    if (!parsed.success) {
      // Retrying cannot fix a malformed payload; log it and let the job complete.
      helpers.logger.error(
        `execute_action job ${helpers.job.id} has a malformed payload: ${JSON.stringify(payload)}`,
      );
      return;
    }
    await executeAction({ ...deps, log: deps.log.child({ jobId: helpers.job.id }) }, parsed.data.actionId);
  };
}
