import type pg from "pg";
import * as calls from "../db/calls.ts";
import { handlerContext, type ModRow } from "../handlers/content.ts";
import type { ActionHandler, HandlerContext } from "../handlers/types.ts";
import { describeIssues } from "../issues.ts";
import type { Logger } from "../logger.ts";
import type { ActionStatus, ExecutionDecision, ExecutionMode, NotNowDecision } from "../vocabulary.ts";
import { type ContentChange, diffSetting, executeWithChange } from "./change.ts";
import { EngineBusyError, type EngineTimeouts, isLockTimeout, timeoutStatements } from "./timeouts.ts";

/** A live Tier 1 execution's time from its proposal, a Tier 2 one's from its approval. */
export interface TimeToExecute {
  tier: number;
  seconds: number;
}

export type ExecutionOutcome =
  | {
      outcome: "executed";
      mode: ExecutionMode;
      executionLogId: number;
      /** Null for dry runs and an admin's forced executions. */
      timeToExecute: TimeToExecute | null;
    }
  | { outcome: "invalid"; reason: string }
  | { outcome: "not_now"; decision: NotNowDecision; reason: string; retryAt: Date | null }
  | { outcome: "failed"; final: boolean; attempts: number; error: string };

/** Thrown after a failed attempt has been recorded and another attempt will follow. */
export class RetryableExecutionError extends Error {}

export interface ExecuteOptions {
  /**
   * An admin's forced execution: skips the guards that judge the action (approval, thresholds, limits,
   * recent edit, cooldown, breaker), not the global switch or a disabled type; dry run still applies.
   * Never Tier 3 or a finished action. Needs `actor` and `reason`.
   */
  force?: boolean;
  /** Who forced it; recorded as executed_by (and as the approver of a Tier 2 action). */
  actor?: string;
  /** Why it was forced; recorded in the execution log and the audit event. */
  reason?: string;
  /**
   * Commit without waiting for the write-ahead log to reach the disk (synchronous_commit off, for this
   * transaction only). The worker asks for it: graphile-worker marks the job done afterwards with a
   * synchronous commit, which flushes this one too, as the log is flushed in order. So a crash can lose
   * only an execution whose job is still there to run it again, and its content change is lost with
   * it. Callers that answer a person (the HTTP API) leave it off: their answer means "on disk".
   */
  asyncCommit?: boolean;
}

export interface ExecutorDeps {
  pool: pg.Pool;
  handlers: ReadonlyMap<string, ActionHandler>;
  log: Logger;
  /** Lock and statement timeouts of every execution transaction (default DEFAULT_ENGINE_TIMEOUTS). */
  timeouts?: EngineTimeouts;
}

/** What start_execution decides (execution_decisions' rows but the executor's own review). */
type StartDecision = Exclude<ExecutionDecision, "review">;
type StartRow = calls.RowOf<(typeof calls.startExecution)["returns"]>;

/** An action start_execution locked for a run (or a no_slot, whose data is still checked). */
interface LockedAction {
  id: number;
  type: string;
  status: ActionStatus;
  data: unknown;
  /** How it runs and whom the log names, as start_execution decided: never recomputed here. */
  mode: ExecutionMode;
  executedBy: string;
  /** The mod the guards and the lock were for (action.mod_id); the handler must act on it. */
  modId: number | null;
  /** That mod as read and locked, updated_at as it was before this execution (null if it is gone). */
  mod: (ModRow & { updated_at: string }) | null;
}

/** Parsed, checked and validated: what the handler's prepareRollback and execute take. */
interface CheckedAction {
  action: LockedAction;
  handler: ActionHandler;
  ctx: HandlerContext;
  data: unknown;
  /** When the handler started (validate): the log's duration counts from here. */
  startedAt: number;
}

/** How the execution transaction ends; executeAction alone sends the commit or the rollback. */
type Ending =
  /** What start_execution recorded stands (a "not now", a "never", a wait for a slot). */
  | { end: "commit"; outcome: NotNow }
  /** record_invalid, then commit. */
  | { end: "invalid"; reason: string }
  /** The execution log (record_execution) with the change for its trigger, then commit. */
  | {
      end: "executed";
      type: string;
      record: calls.ArgValues<(typeof calls.recordExecution)["args"]> & { mode: ExecutionMode };
      change: ContentChange;
    }
  /** Roll back everything the handler did, then return the action for review. */
  | { end: "review"; note: string };

/** How a failure is logged: what start_execution said, and since when the handler ran. */
interface Attempt {
  mode: ExecutionMode;
  executedBy: string;
  startedAt?: number;
}

/**
 * Executes one action in one transaction, which this function alone opens and ends: start_execution
 * (lock, guards, slot, and the record of any "not now") opens it; the decision's switch (decide) says
 * how it ends; the commit goes with the last call. A handler that throws leaves no change behind: the
 * transaction rolls back and the failure is recorded in a second, short transaction; unless it was the
 * last attempt, RetryableExecutionError is thrown so graphile-worker retries with backoff.
 */
export async function executeAction(
  deps: ExecutorDeps,
  actionId: number,
  options: ExecuteOptions = {},
): Promise<ExecutionOutcome> {
  const log = deps.log.child({ actionId });
  const force = options.force === true;
  const forceReason = force ? options.reason?.trim() || null : null;
  if (force && !forceReason) throw new Error("a forced execution needs a reason");
  const client = await deps.pool.connect();
  const attempt: Attempt = { mode: "live", executedBy: "auto" };
  try {
    // begin, the transaction's settings and start_execution: one round trip.
    const start = await calls.runOne(
      client,
      calls.startExecution({ actionId, force, actor: force ? (options.actor ?? null) : null }),
      {
        before: [
          "begin",
          ...(options.asyncCommit ? ["set local synchronous_commit = off"] : []),
          ...timeoutStatements(deps.timeouts),
        ],
      },
    );
    const ending = await decide(deps, client, actionId, start, { force, forceReason }, attempt);
    switch (ending.end) {
      case "commit":
        await client.query("commit");
        log.debug({ decision: ending.outcome.decision, reason: ending.outcome.reason }, "not executed now");
        return ending.outcome;
      case "invalid":
        await calls.run(client, calls.recordInvalid({ actionId, reason: ending.reason }), {
          after: ["commit"],
        });
        log.info({ reason: ending.reason }, "action data refused; action is INVALID");
        return { outcome: "invalid", reason: ending.reason };
      case "executed": {
        const logged = await calls.runOne(client, calls.recordExecution(ending.record), {
          before: [diffSetting(ending.change)],
          after: ["commit"],
        });
        const { mode, durationMs } = ending.record;
        log.info({ mode, executionLogId: logged.log_id, durationMs, type: ending.type }, "action executed");
        return {
          outcome: "executed",
          mode,
          executionLogId: logged.log_id,
          timeToExecute:
            logged.time_to_execute_s === null
              ? null
              : { tier: logged.tier, seconds: Math.max(0, logged.time_to_execute_s) },
        };
      }
      case "review":
        await client.query("rollback");
        await calls.run(client, calls.returnForReview({ actionId, note: ending.note }));
        log.info({ reason: ending.note }, "approved change moved on; action returned for review");
        return { outcome: "not_now", decision: "review", reason: ending.note, retryAt: null };
    }
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    if (isLockTimeout(error)) {
      // Someone else held a lock this execution needs for longer than lock_timeout: the engine was busy,
      // the action did nothing wrong. Nothing is recorded; the caller (graphile-worker) retries later.
      log.warn({ err: error }, "execution gave up waiting for a lock; it will be retried");
      throw new EngineBusyError(`gave up waiting for a lock (${(error as Error).message}); retrying later`, {
        cause: error,
      });
    }
    return await recordFailure(deps, actionId, attempt, forceReason, error, log);
  } finally {
    client.release();
  }
}

/** The one switch over start_execution's decision: how the execution transaction is to end. */
async function decide(
  deps: ExecutorDeps,
  client: pg.PoolClient,
  actionId: number,
  start: StartRow,
  run: { force: boolean; forceReason: string | null },
  attempt: Attempt,
): Promise<Ending> {
  // The rows of execution_decisions (state-machine.test.ts); the default branch refuses any other.
  const decision = start.decision as StartDecision;
  switch (decision) {
    case "defer":
    case "wait":
    case "end":
    case "skip":
      return { end: "commit", outcome: notNow(start) };
    case "no_slot": {
      // The wait is recorded already; it stands once the data is known to be valid.
      const checked = await check(deps, client, locked(actionId, start), attempt);
      return "reason" in checked
        ? { end: "invalid", reason: checked.reason }
        : { end: "commit", outcome: notNow(start) };
    }
    case "run": {
      const checked = await check(deps, client, locked(actionId, start), attempt);
      return "reason" in checked
        ? { end: "invalid", reason: checked.reason }
        : await execute(client, checked, run);
    }
    default:
      return unknownDecision(decision);
  }
}

function unknownDecision(decision: never): never {
  throw new Error(`start_execution decided ${String(decision)}, which the executor does not know`);
}

function locked(actionId: number, start: StartRow): LockedAction {
  if (start.type === null || start.status === null || start.mode === null || start.executed_by === null)
    throw new Error(`start_execution returned no action to run for ${actionId}`);
  return {
    id: actionId,
    type: start.type,
    status: start.status as ActionStatus,
    data: start.action_data,
    mode: start.mode as ExecutionMode,
    executedBy: start.executed_by,
    modId: start.mod_id,
    mod: start.mod as LockedAction["mod"],
  };
}

type NotNow = Extract<ExecutionOutcome, { outcome: "not_now" }>;

/** A "not now" as start_execution recorded it. */
function notNow(start: StartRow): NotNow {
  return {
    outcome: "not_now",
    decision: start.not_now as NotNowDecision,
    reason: start.reason ?? "",
    retryAt: start.retry_at,
  };
}

/** Parses the action's data and runs the handler's validate: a refusal's reason, or what execute needs. */
async function check(
  deps: ExecutorDeps,
  client: pg.PoolClient,
  action: LockedAction,
  attempt: Attempt,
): Promise<CheckedAction | { reason: string }> {
  attempt.mode = action.mode;
  attempt.executedBy = action.executedBy;
  const handler = deps.handlers.get(action.type);
  if (!handler) throw new Error(`no handler is registered for action type ${action.type}`);
  const parsed = handler.schema.safeParse(action.data);
  if (!parsed.success) return { reason: describeIssues(parsed.error, "action_data") };
  const modId = (parsed.data as { modId?: unknown }).modId;
  if (modId !== undefined && modId !== action.modId) {
    return {
      reason: `modId ${modId} is not the mod the engine guarded (${action.modId ?? "none"}); propose the action again`,
    };
  }
  const ctx = handlerContext(
    client,
    action.id,
    action.modId === null ? undefined : { id: action.modId, row: action.mod ?? undefined },
  );
  const startedAt = performance.now();
  attempt.startedAt = startedAt;
  // validate and prepareRollback only read (and lock); execute is the one that writes.
  const validation = await handler.validate(ctx, parsed.data);
  if (!validation.valid) return { reason: validation.reason };
  return { action, handler, ctx, data: parsed.data, startedAt };
}

/** prepareRollback and execute; a dry run inside a savepoint it rolls back to, so the log shows what would have happened. */
async function execute(
  client: pg.PoolClient,
  { action, handler, ctx, data, startedAt }: CheckedAction,
  run: { force: boolean; forceReason: string | null },
): Promise<Ending> {
  const prepared = await handler.prepareRollback(ctx, data);
  if (action.mode === "dry_run") await client.query("savepoint dry_run");
  const { result, change } = await executeWithChange(handler, ctx, data);
  const durationMs = Math.round(performance.now() - startedAt);
  if (action.mode === "dry_run") await client.query("rollback to savepoint dry_run");
  // An approval is of the change the admin saw: if the content moved on since, ask again.
  if (action.status === "APPROVED" && !run.force) {
    const { result: movedOn } = await calls.runOne(
      client,
      calls.approvalMovedOn({ actionId: action.id, change, modUpdatedAt: action.mod?.updated_at ?? null }),
    );
    if (movedOn) return { end: "review", note: movedOn };
  }
  return {
    end: "executed",
    type: action.type,
    change,
    record: {
      actionId: action.id,
      mode: action.mode,
      executedBy: action.executedBy,
      output: result.output,
      rollbackData: { ...prepared, ...result.rollbackData },
      durationMs,
      forceReason: run.forceReason,
    },
  };
}

/**
 * After the execution transaction rolled back: logs the failed attempt (record_failure) in a second
 * transaction, one simple query (its statements commit together or not at all). A value the database
 * refused (its data would fail the same way every time) counts as one failure, as any other, and ends
 * the action INVALID instead of being retried, so its retries cannot feed the cooldown or the breaker.
 */
async function recordFailure(
  deps: ExecutorDeps,
  actionId: number,
  attempt: Attempt,
  forceReason: string | null,
  error: unknown,
  log: Logger,
): Promise<ExecutionOutcome> {
  const message = error instanceof Error ? error.message : String(error);
  const durationMs = attempt.startedAt === undefined ? 0 : Math.round(performance.now() - attempt.startedAt);
  const refusedData = refusedByDatabase(error) ? `the database refused this action's data: ${message}` : null;
  const failure = await calls.runOne(
    deps.pool,
    calls.recordFailure({
      actionId,
      mode: attempt.mode,
      executedBy: attempt.executedBy,
      error: message,
      durationMs,
      forceReason,
    }),
    { after: refusedData ? [calls.recordInvalid({ actionId, reason: refusedData })] : [] },
  );
  if (refusedData) {
    log.info({ err: error }, "the database refused the action's data; action is INVALID");
    return { outcome: "invalid", reason: refusedData };
  }
  log.warn({ err: error, attempts: failure.attempts, final: failure.final }, "action execution failed");
  if (!failure.final) {
    throw new RetryableExecutionError(`attempt ${failure.attempts} failed: ${message}`, { cause: error });
  }
  return { outcome: "failed", final: true, attempts: failure.attempts, error: message };
}

/**
 * PostgreSQL refused a value (SQLSTATE class 22, data exception: a bad number, text or encoding) or a
 * size limit stopped it (class 54: index row size, stack depth): the action's own data did.
 */
function refusedByDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}
