import type { Task } from "graphile-worker";
import * as calls from "../db/calls.ts";
import type { ExecutorDeps } from "../engine/executor.ts";
import { timeoutStatements } from "../engine/timeouts.ts";

interface DispatchResult {
  reevaluated: number;
  rejoined: number;
  dispatched: number;
  freeSlots: number;
  next: string | null;
}

/**
 * Task `dispatch_waiting` (one job, key autoexec:dispatch_waiting; see docs/waiting.md): serves the
 * waiting line in one short transaction. Woken by every change and scheduled for when the next slot
 * frees; a lock timeout throws, and graphile-worker retries it.
 */
export function dispatchWaitingTask(deps: ExecutorDeps): Task {
  return async (_payload, helpers) => {
    const client = await deps.pool.connect();
    let result: DispatchResult | undefined;
    try {
      // One round trip: the transaction, its timeouts, the run and the commit.
      const served = await calls.runOne(client, calls.dispatchWaiting({}), {
        before: ["begin", ...timeoutStatements(deps.timeouts)],
        after: ["commit"],
      });
      result = served.result as DispatchResult;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (result && (result.dispatched || result.reevaluated || result.rejoined)) {
      deps.log.info({ jobId: helpers.job.id, ...result }, "waiting line served");
    } else {
      deps.log.debug({ jobId: helpers.job.id, ...result }, "waiting line: nothing to hand out");
    }
  };
}
