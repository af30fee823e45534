import { isDeepStrictEqual } from "node:util";
import type pg from "pg";
import { forgetReads } from "../handlers/content.ts";
import type { ActionHandler, HandlerContext, Json } from "../handlers/types.ts";
import { type ContentChange, inRolledBackTransaction } from "./change.ts";
import type { ExecutorDeps } from "./executor.ts";

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

interface LogRow {
  id: number;
  action_id: number;
  action_type: string;
  input_data: unknown;
  mode: string;
  success: boolean;
  rollback_data: Record<string, Json> | null;
  rollback_data_purged_at: Date | null;
  rolled_back_at: Date | null;
  rolled_back_by: string | null;
  rollback_reason: string | null;
}

const LOG_QUERY = `select l.id, l.action_id, l.action_type, l.input_data, l.mode, l.success, l.rollback_data,
    l.rollback_data_purged_at, l.rolled_back_at, l.rolled_back_by, l.rollback_reason
  from autoexec.execution_logs l join autoexec.actions a on a.id = l.action_id`;

/**
 * Undoes one execution in one transaction with its handler's rollback and stored rollback data, and
 * marks the log rolled back and the action ROLLED_BACK. Every path (REST, UI, scripts) comes here.
 * Refusals change nothing and say why; rolling back twice is refused harmlessly.
 */
export async function rollbackExecution(
  deps: ExecutorDeps,
  request: RollbackRequest,
): Promise<RollbackOutcome> {
  if (!request.reason.trim())
    return { success: false, code: "bad_request", error: "a reason is required to roll back" };
  const client = await deps.pool.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('autoexec.engine_executing', 'on', true)");
    const { rows } = await client.query<LogRow>(`${LOG_QUERY} where l.id = $1 for update`, [
      request.executionLogId,
    ]);
    const log = rows[0];
    const refusal = log ? whyNot(log) : `execution ${request.executionLogId} not found`;
    if (refusal || !log?.rollback_data) {
      await client.query("rollback");
      return {
        success: false,
        code: log ? "not_rollbackable" : "not_found",
        error: refusal ?? "no rollback data",
      };
    }
    const handler = deps.handlers.get(log.action_type);
    if (!handler) throw new Error(`no handler is registered for action type ${log.action_type}`);
    const conflicts = await handler.conflicts(contextFor(client, log), log.rollback_data);
    if (conflicts.length && !request.force) {
      await client.query("rollback");
      return {
        success: false,
        code: "conflict",
        error: `the content changed since execution ${log.id}; roll back with force to undo only what it added`,
        conflicts,
      };
    }
    const change = await undo(client, handler, log);
    if (change && isDeepStrictEqual(change.before, change.after)) {
      // Forced over later edits that replaced everything the execution did: undoing it changes nothing.
      await client.query("rollback");
      return {
        success: false,
        code: "nothing_to_undo",
        error: `rolling back execution ${log.id} would change nothing: the content it changed has been replaced since`,
        conflicts,
      };
    }
    const forced = conflicts.length > 0;
    await client.query("select autoexec_private.record_rollback($1, $2, $3, $4, $5)", [
      log.id,
      request.actor,
      request.reason,
      forced,
      forced ? JSON.stringify(conflicts) : null,
    ]);
    await client.query("commit");
    deps.log.info(
      { executionLogId: log.id, actionId: log.action_id, actor: request.actor, forced },
      "execution rolled back",
    );
    return { success: true, executionLogId: log.id, actionId: log.action_id, forced, conflicts };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function contextFor(client: pg.PoolClient, log: LogRow): HandlerContext {
  return { db: client, actionId: log.action_id };
}

/**
 * Runs the handler's rollback between two readings of what the action touches; the change is null
 * when the logged action data no longer parses (then nothing is compared).
 */
async function undo(
  client: pg.PoolClient,
  handler: ActionHandler,
  log: LogRow,
): Promise<ContentChange | null> {
  const rollbackData = log.rollback_data ?? {};
  const ctx = contextFor(client, log);
  const parsed = handler.schema.safeParse(log.input_data);
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
 * that is always rolled back. Null when there is no such execution.
 */
export async function previewRollback(
  deps: Pick<ExecutorDeps, "pool" | "handlers">,
  executionLogId: number,
): Promise<RollbackPreview | null> {
  const computedAt = new Date().toISOString();
  return inRolledBackTransaction(deps.pool, async (client) => {
    const { rows } = await client.query<LogRow>(`${LOG_QUERY} where l.id = $1`, [executionLogId]);
    const log = rows[0];
    if (!log) return null;
    const refusal = whyNot(log);
    const handler = deps.handlers.get(log.action_type);
    if (refusal || !log.rollback_data || !handler) {
      const reason = refusal ?? (handler ? "no rollback data" : `no handler for ${log.action_type}`);
      return { executionLogId, possible: false, reason, conflicts: [], change: null, computedAt };
    }
    const conflicts = await handler.conflicts(contextFor(client, log), log.rollback_data);
    const change = await undo(client, handler, log);
    return { executionLogId, possible: true, reason: null, conflicts, change, computedAt };
  });
}

function whyNot(log: LogRow): string | undefined {
  if (!log.success) return `execution ${log.id} failed, so it changed nothing to roll back`;
  if (log.mode === "dry_run") return `execution ${log.id} was a dry run and changed nothing`;
  if (log.rolled_back_at) {
    return `execution ${log.id} was already rolled back at ${log.rolled_back_at.toISOString()} by ${log.rolled_back_by} (${log.rollback_reason})`;
  }
  if (log.rollback_data_purged_at || !log.rollback_data) {
    const when = log.rollback_data_purged_at?.toISOString() ?? "an unknown date";
    return `the rollback data of execution ${log.id} was purged on ${when} (older than the retention period); it can no longer be rolled back`;
  }
  return undefined;
}
