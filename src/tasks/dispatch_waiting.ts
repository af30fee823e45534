import type { Task } from "graphile-worker";
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
      const results = (await client.query(
        [
          "begin",
          ...timeoutStatements(deps.timeouts),
          "select autoexec_private.dispatch_waiting() as result",
          "commit",
        ].join("; "),
      )) as unknown as Array<{ rows: Array<{ result: DispatchResult }> }>;
      result = results.find((part) => part.rows?.[0]?.result)?.rows[0]?.result;
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
