import type { Task } from "graphile-worker";
import { z } from "zod";
import {
  type ExecuteOptions,
  type ExecutionOutcome,
  type ExecutorDeps,
  executeAction,
  RetryableExecutionError,
} from "../engine/executor.ts";

/** Told what each execution attempt ended with (the worker's own /metrics). */
export type CountExecution = (result: ExecutionOutcome | "retrying" | "error") => void;

const ActionRef = z.object({ actionId: z.number().int().positive() });
/** One action (its own keyed job), or a batch of actions inserted together (see enqueue_executions). */
const Payload = z.union([ActionRef, z.array(ActionRef).min(1)]);

/** graphile-worker task `execute_action`: payload `{actionId}` or `[{actionId}, ...]`, enqueued by SQL. */
export function executeActionTask(deps: ExecutorDeps, countExecution: CountExecution = () => {}): Task {
  const execute = async (jobDeps: ExecutorDeps, actionId: number, options: ExecuteOptions) => {
    try {
      countExecution(await executeAction(jobDeps, actionId, options));
    } catch (error) {
      countExecution(error instanceof RetryableExecutionError ? "retrying" : "error");
      throw error;
    }
  };
  return async (payload, helpers) => {
    const parsed = Payload.safeParse(payload);
    if (!parsed.success) {
      // Retrying cannot fix a malformed payload; log it and let the job complete.
      helpers.logger.error(
        `execute_action job ${helpers.job.id} has a malformed payload: ${JSON.stringify(payload)}`,
      );
      return;
    }
    const jobDeps = { ...deps, log: deps.log.child({ jobId: helpers.job.id }) };
    // graphile-worker's own synchronous commit of the job, which follows, makes the execution durable.
    const options = { asyncCommit: true };
    if (!Array.isArray(parsed.data)) {
      await execute(jobDeps, parsed.data.actionId, options);
      return;
    }
    // A batch job: one action after another, each in its own transaction. The returned list tells
    // graphile-worker which ones failed, and it retries only those.
    const errors: unknown[] = [];
    for (const { actionId } of parsed.data) {
      errors.push(
        await execute(jobDeps, actionId, options).then(
          () => undefined,
          (error: unknown) => error ?? new Error("execution failed"),
        ),
      );
    }
    // The rejected promises are made only now, when graphile-worker is about to await them all.
    return errors.map((error) => (error === undefined ? Promise.resolve() : Promise.reject(error)));
  };
}
