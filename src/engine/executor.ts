import type pg from "pg";
import type { z } from "zod";
import { withTransaction } from "../db/pool.ts";
import { type ModRow, rememberLockedMod } from "../handlers/content.ts";
import type { ActionHandler, HandlerContext, Json } from "../handlers/types.ts";
import type { Logger } from "../logger.ts";
import type {
  ActionStatus,
  ExecutionDecision,
  ExecutionMode,
  NotNowDecision,
  WaitKind,
} from "../vocabulary.ts";
import {
  approvalMovedOn,
  type ContentChange,
  diffStatement,
  executeWithChange,
  returnForReview,
} from "./change.ts";
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

/** autoexec_private.start_execution: the locked action, the verdict of the guards and rate limits, its mod. */
interface StartedExecution {
  type: string;
  status: ActionStatus;
  execution_tier: number;
  action_data: unknown;
  /** no_slot: the guards allow it but the rate limits refuse; the executor records the deferral. */
  decision: ExecutionDecision;
  mode: ExecutionMode | null;
  reason: string | null;
  retry_at: Date | null;
  /** For a run (or no_slot) of an action with a modId: that mod, read and locked (null if it is gone). */
  mod_id: number | null;
  /** With updated_at as it was before this execution: a plain approval is of the mod as it was then. */
  mod: (ModRow & { updated_at: string }) | null;
  /** How a refused action waits (autoexec.actions.wait_kind): 'line' or 'until' for no_slot. */
  wait_kind: WaitKind | null;
}

/** Why an action does not execute now, and when to try again. */
interface Verdict {
  decision: NotNowDecision;
  reason: string | null;
  retry_at: Date | null;
}

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

/**
 * Executes one action in one transaction: lock it, ask the guards, claim a rate-limit slot, parse its
 * data, run the handler's validate / prepareRollback / execute, log, update the action. A handler that
 * throws leaves no change behind; the failure is recorded in a second transaction and, unless it was
 * the last attempt, RetryableExecutionError is thrown so graphile-worker retries with backoff.
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
  let mode: ExecutionMode = "live";
  let executedBy = "auto";
  let startedAt: number | undefined;
  try {
    const action = await startExecution(client, actionId, force, options.asyncCommit === true, deps.timeouts);
    if (action.decision !== "run" && action.decision !== "no_slot") {
      await client.query("commit");
      log.debug({ decision: action.decision, reason: action.reason }, "action not executed now");
      return notNow({ decision: action.decision, reason: action.reason, retry_at: action.retry_at });
    }
    mode = action.mode ?? "live";
    executedBy = force ? (options.actor ?? "admin") : action.status === "APPROVED" ? "approved" : "auto";

    const handler = deps.handlers.get(action.type);
    if (!handler) throw new Error(`no handler is registered for action type ${action.type}`);
    const parsed = handler.schema.safeParse(action.action_data);
    if (!parsed.success) {
      return await endInvalid(client, actionId, describeZodError(parsed.error), log);
    }
    // The guards and the lock were for the mod the INSERT read (mod_id); the handler must act on it.
    const modId = (parsed.data as { modId?: unknown }).modId;
    if (modId !== undefined && modId !== action.mod_id) {
      const reason = `modId ${modId} is not the mod the engine guarded (${action.mod_id ?? "none"}); propose the action again`;
      return await endInvalid(client, actionId, reason, log);
    }

    // validate and prepareRollback only read (and lock); execute is the one that writes.
    const ctx: HandlerContext = { db: client, actionId };
    if (action.mod_id !== null) rememberLockedMod(ctx, action.mod_id, action.mod ?? undefined);
    startedAt = performance.now();
    const validation = await handler.validate(ctx, parsed.data);
    if (!validation.valid) return await endInvalid(client, actionId, validation.reason, log);
    if (action.decision === "no_slot") return await deferForSlot(client, actionId, action, log);
    const prepared = await handler.prepareRollback(ctx, parsed.data);
    // A dry run executes inside a savepoint and rolls back to it: the log shows what would have happened.
    if (mode === "dry_run") await client.query("savepoint dry_run");
    const { result, change } = await executeWithChange(handler, ctx, parsed.data);
    const durationMs = Math.round(performance.now() - startedAt);
    const rollbackData: Record<string, Json> = { ...prepared, ...result.rollbackData };
    if (mode === "dry_run") await client.query("rollback to savepoint dry_run");
    // An approval is of the change the admin saw: if the content moved on since, ask again.
    const movedOn =
      action.status === "APPROVED" && !force
        ? await approvalMovedOn(client, actionId, change, action.mod?.updated_at ?? null)
        : null;
    if (movedOn) {
      await returnForReview(client, actionId, movedOn);
      log.info({ reason: movedOn }, "approved change moved on; action returned for review");
      return notNow({ decision: "review", reason: movedOn, retry_at: null });
    }

    const { executionLogId, timeToExecute } = await finishExecution(client, {
      actionId,
      mode,
      executedBy,
      output: result.output,
      rollbackData,
      durationMs,
      diff: change,
      forceReason,
    });
    log.info({ mode, executionLogId, durationMs, type: action.type }, "action executed");
    return { outcome: "executed", mode, executionLogId, timeToExecute };
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
    const message = error instanceof Error ? error.message : String(error);
    const durationMs = startedAt === undefined ? 0 : Math.round(performance.now() - startedAt);
    // The database refused a value of this action's (its data would fail the same way every time):
    // the attempt counts as one failure, as any other, and the action ends INVALID instead of being
    // retried, so its retries cannot feed the cooldown or the breaker.
    const refusedData = refusedByDatabase(error)
      ? `the database refused this action's data: ${message}`
      : null;
    const failure = await withTransaction(deps.pool, async (tx) => {
      const { rows } = await tx.query<{ final: boolean; attempts: number }>(
        "select * from autoexec_private.record_failure($1, $2, $3, $4, $5, $6)",
        [actionId, mode, executedBy, message, durationMs, forceReason],
      );
      if (refusedData)
        await tx.query("select autoexec_private.record_invalid($1, $2)", [actionId, refusedData]);
      return rows[0] ?? { final: true, attempts: 0 };
    });
    if (refusedData) {
      log.info({ err: error }, "the database refused the action's data; action is INVALID");
      return { outcome: "invalid", reason: refusedData };
    }
    log.warn({ err: error, attempts: failure.attempts, final: failure.final }, "action execution failed");
    if (!failure.final) {
      throw new RetryableExecutionError(`attempt ${failure.attempts} failed: ${message}`, { cause: error });
    }
    return { outcome: "failed", final: true, attempts: failure.attempts, error: message };
  } finally {
    client.release();
  }
}

/**
 * Opens the execution transaction and runs start_execution in one round trip: `begin` (with, for the
 * worker, `set local synchronous_commit = off`) and the call go as one simple-protocol query, which
 * takes no parameters, so the values are written into the text: the id once checked to be an integer,
 * force as the literal true or false, the timeouts as checked milliseconds. Round trips are most of an
 * execution's cost (see docs/BENCHMARKS.md).
 */
async function startExecution(
  client: pg.PoolClient,
  actionId: number,
  force: boolean,
  asyncCommit: boolean,
  timeouts: EngineTimeouts | undefined,
): Promise<StartedExecution> {
  if (!Number.isSafeInteger(actionId)) throw new Error(`action id ${actionId} is not an integer`);
  const statements = [
    "begin",
    ...(asyncCommit ? ["set local synchronous_commit = off"] : []),
    ...timeoutStatements(timeouts),
    `select * from autoexec_private.start_execution(${actionId}, ${force ? "true" : "false"})`,
  ];
  const results = (await client.query(
    statements.join("; "),
  )) as unknown as pg.QueryResult<StartedExecution>[];
  return results.at(-1)?.rows[0] as StartedExecution;
}

/**
 * Writes the execution log and commits, in one round trip: the call and `commit` go as one
 * simple-protocol query, so the values are written into the text, strings escaped by pg's
 * escapeLiteral. When the call fails, PostgreSQL skips the commit and the caller rolls back.
 * Returns the log's id and what the worker's metrics observe (record_execution computes it).
 */
async function finishExecution(
  client: pg.PoolClient,
  execution: {
    actionId: number;
    mode: ExecutionMode;
    executedBy: string;
    output: Json;
    rollbackData: Record<string, Json>;
    durationMs: number;
    diff: ContentChange;
    forceReason: string | null;
  },
): Promise<{ executionLogId: number; timeToExecute: TimeToExecute | null }> {
  const text = (value: string | null) => (value === null ? "null" : client.escapeLiteral(value));
  const results = (await client.query(
    `${diffStatement(client, execution.diff)}; select * from autoexec_private.record_execution(${execution.actionId}, ${text(execution.mode)}, ` +
      `${text(execution.executedBy)}, ${text(JSON.stringify(execution.output))}, ` +
      `${text(JSON.stringify(execution.rollbackData))}, ${Math.round(execution.durationMs)}, ` +
      `${text(execution.forceReason)}); commit`,
  )) as unknown as pg.QueryResult<{ log_id: string; tier: number; time_to_execute_s: number | null }>[];
  // Three results: set_config (the diff for the log's trigger), record_execution, commit.
  const logged = results[1]?.rows[0];
  if (!logged) throw new Error(`record_execution returned no row for action ${execution.actionId}`);
  return {
    executionLogId: Number(logged.log_id),
    timeToExecute:
      logged.time_to_execute_s === null
        ? null
        : { tier: logged.tier, seconds: Math.max(0, logged.time_to_execute_s) },
  };
}

/** Valid, but the rate limits refused a slot: it waits in the line, or until its own limit frees (no job). */
async function deferForSlot(
  client: pg.PoolClient,
  actionId: number,
  refusal: Pick<StartedExecution, "reason" | "retry_at" | "wait_kind">,
  log: Logger,
): Promise<ExecutionOutcome> {
  const deferral: Verdict = {
    decision: refusal.retry_at ? "defer" : "wait",
    reason: refusal.reason ?? "no slot",
    retry_at: refusal.retry_at,
  };
  await client.query("select autoexec_private.record_decision($1, $2, $3, $4, null, $5)", [
    actionId,
    deferral.decision,
    deferral.reason,
    deferral.retry_at,
    refusal.wait_kind ?? "line",
  ]);
  await client.query("commit");
  log.debug({ reason: deferral.reason }, "rate limit reached; action deferred");
  return notNow(deferral);
}

async function endInvalid(
  client: pg.PoolClient,
  actionId: number,
  reason: string,
  log: Logger,
): Promise<ExecutionOutcome> {
  await client.query("select autoexec_private.record_invalid($1, $2)", [actionId, reason]);
  await client.query("commit");
  log.info({ reason }, "action data refused; action is INVALID");
  return { outcome: "invalid", reason };
}

function notNow(verdict: Verdict): ExecutionOutcome {
  return {
    outcome: "not_now",
    decision: verdict.decision,
    reason: verdict.reason ?? "",
    retryAt: verdict.retry_at,
  };
}

/**
 * PostgreSQL refused a value (SQLSTATE class 22, data exception: a bad number, text or encoding) or a
 * size limit stopped it (class 54: index row size, stack depth): the action's own data did.
 */
function refusedByDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}

/** "modId: expected number, received string; position: ..." — one readable line for status_reason. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "action_data"}: ${issue.message}`)
    .join("; ");
}
