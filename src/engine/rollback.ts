import { isDeepStrictEqual } from "node:util";
import type pg from "pg";
import * as calls from "../db/calls.ts";
import { forgetReads, handlerContext } from "../handlers/content.ts";
import type { ActionHandler, Json } from "../handlers/types.ts";
import { type ContentChange, inRolledBackTransaction } from "./change.ts";
import type { ExecutorDeps } from "./executor.ts";
import { EngineBusyError, isLockTimeout, timeoutStatements } from "./timeouts.ts";

export interface RollbackRequest {
  executionLogId: number;
  reason: string;
  /** Who asked for it (API user id, or a DBA's name). */
  actor: string;
  /** Undo even though the content changed since the execution. */
  force?: boolean;
}

export type RollbackOutcome =
  | { success: true; executionLogId: number; actionId: number; forced: boolean; conflicts: string[] }
  | {
      success: false;
      code: "not_found" | "not_rollbackable" | "conflict" | "nothing_to_undo" | "bad_request";
      error: string;
      conflicts?: string[];
    };

/** What start_rollback returns: the execution it locked, as its handler needs it. */
type StartedRollback = calls.RowOf<(typeof calls.startRollback)["returns"]>;

/** How the rollback transaction ends; rollbackExecution alone sends the commit or the rollback. */
type RollbackEnding =
  | { end: "refuse"; outcome: RollbackOutcome & { success: false } }
  | { end: "finish"; forced: boolean; conflicts: string[] };

/**
 * Undoes one execution in one transaction, the mirror of executeAction: start_rollback (lock the
 * execution and its action; refuse, with an AE code, what cannot be rolled back) opens it, the
 * handler's conflicts and rollback run, and finish_rollback (the log rolled back, the action
 * ROLLED_BACK, the audit event) goes with the commit. This function alone opens and ends the
 * transaction. Every path (REST, UI, scripts) comes here. Refusals change nothing and say why.
 */
export async function rollbackExecution(
  deps: ExecutorDeps,
  request: RollbackRequest,
): Promise<RollbackOutcome> {
  if (!request.reason.trim())
    return { success: false, code: "bad_request", error: "a reason is required to roll back" };
  const { executionLogId, actor, reason } = request;
  const client = await deps.pool.connect();
  try {
    // begin, the transaction's timeouts and start_rollback: one round trip.
    const started = await calls.runOne(client, calls.startRollback({ executionLogId }), {
      before: ["begin", ...timeoutStatements(deps.timeouts)],
    });
    const ending = await undoOrRefuse(deps, client, executionLogId, started, request.force === true);
    switch (ending.end) {
      case "refuse":
        await client.query("rollback");
        return ending.outcome;
      case "finish": {
        const { forced, conflicts } = ending;
        await calls.run(
          client,
          calls.finishRollback({
            executionLogId,
            actor,
            reason,
            forced,
            conflicts: forced ? conflicts : null,
          }),
          { after: ["commit"] },
        );
        const actionId = started.action_id;
        deps.log.info({ executionLogId, actionId, actor, forced }, "execution rolled back");
        return { success: true, executionLogId, actionId, forced, conflicts };
      }
    }
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    const refusal = refusedByStart(error);
    if (refusal) return { success: false, ...refusal };
    if (isLockTimeout(error)) {
      // As an execution: another transaction held a lock too long; nothing changed, try again.
      throw new EngineBusyError(`gave up waiting for a lock (${(error as Error).message}); try again`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    client.release();
  }
}

/** The handler's part, between start_rollback and finish_rollback: conflicts, then the undo itself. */
async function undoOrRefuse(
  deps: ExecutorDeps,
  client: pg.PoolClient,
  executionLogId: number,
  started: StartedRollback,
  force: boolean,
): Promise<RollbackEnding> {
  const handler = handlerOf(deps, started);
  const rollbackData = started.rollback_data as Record<string, Json>;
  const conflicts = await handler.conflicts(handlerContext(client, started.action_id), rollbackData);
  if (conflicts.length && !force) {
    const error = `the content changed since execution ${executionLogId}; roll back with force to undo only what it added`;
    return { end: "refuse", outcome: { success: false, code: "conflict", error, conflicts } };
  }
  const change = await undo(client, handler, started);
  if (change && isDeepStrictEqual(change.before, change.after)) {
    // Forced over later edits that replaced everything the execution did: undoing it changes nothing.
    const error = `rolling back execution ${executionLogId} would change nothing: the content it changed has been replaced since`;
    return { end: "refuse", outcome: { success: false, code: "nothing_to_undo", error, conflicts } };
  }
  return { end: "finish", forced: conflicts.length > 0, conflicts };
}

function handlerOf(deps: Pick<ExecutorDeps, "handlers">, started: StartedRollback): ActionHandler {
  const handler = deps.handlers.get(started.action_type);
  if (!handler) throw new Error(`no handler is registered for action type ${started.action_type}`);
  return handler;
}

/** start_rollback's refusals, by code (docs/errors.md): AE004 no such execution, AE005 not rollbackable. */
function refusedByStart(error: unknown): { code: "not_found" | "not_rollbackable"; error: string } | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== "string") return null;
  if (code === "AE004") return { code: "not_found", error: message };
  if (code === "AE005") return { code: "not_rollbackable", error: message };
  return null;
}

/**
 * Runs the handler's rollback between two readings of what the action touches; the change is null
 * when the logged action data no longer parses (then nothing is compared).
 */
async function undo(
  client: pg.PoolClient,
  handler: ActionHandler,
  started: StartedRollback,
): Promise<ContentChange | null> {
  const rollbackData = started.rollback_data as Record<string, Json>;
  const ctx = handlerContext(client, started.action_id);
  const parsed = handler.schema.safeParse(started.input_data);
  const before = parsed.success ? await handler.affected(ctx, parsed.data, rollbackData) : null;
  await handler.rollback(ctx, rollbackData);
  forgetReads(ctx);
  const after = parsed.success ? await handler.affected(ctx, parsed.data, rollbackData) : null;
  return before && after ? { before, after } : null;
}

export interface RollbackPreview {
  executionLogId: number;
  /** False when it cannot be rolled back at all: `reason` says why. */
  possible: boolean;
  reason: string | null;
  /** How the content moved on since the execution; non-empty: only a forced rollback would run. */
  conflicts: string[];
  /** What rolling back now would change; with conflicts, exactly what a forced rollback would discard. */
  change: ContentChange | null;
  computedAt: string;
}

/**
 * What rolling back an execution would change now, computed by running its rollback in a transaction
 * that is always rolled back: start_rollback's refusals are the rollback's. Null when there is no such
 * execution.
 */
export async function previewRollback(
  deps: Pick<ExecutorDeps, "pool" | "handlers">,
  executionLogId: number,
): Promise<RollbackPreview | null> {
  const computedAt = new Date().toISOString();
  const impossible = (reason: string): RollbackPreview => ({
    executionLogId,
    possible: false,
    reason,
    conflicts: [],
    change: null,
    computedAt,
  });
  return inRolledBackTransaction(deps.pool, async (client) => {
    let started: StartedRollback;
    try {
      started = await calls.runOne(client, calls.startRollback({ executionLogId }));
    } catch (error) {
      const refusal = refusedByStart(error);
      if (!refusal) throw error;
      return refusal.code === "not_found" ? null : impossible(refusal.error);
    }
    const handler = deps.handlers.get(started.action_type);
    if (!handler) return impossible(`no handler for ${started.action_type}`);
    const rollbackData = started.rollback_data as Record<string, Json>;
    const conflicts = await handler.conflicts(handlerContext(client, started.action_id), rollbackData);
    const change = await undo(client, handler, started);
    return { executionLogId, possible: true, reason: null, conflicts, change, computedAt };
  });
}
