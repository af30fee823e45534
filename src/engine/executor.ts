import type pg from "pg";
import type { z } from "zod";
import type { ActionHandler, HandlerContext, Json } from "../handlers/types.ts";
import type { Logger } from "../logger.ts";

export type ExecutionOutcome =
  | { outcome: "executed"; mode: "live" | "dry_run"; executionLogId: number }
  | { outcome: "invalid"; reason: string }
  | { outcome: "not_now"; decision: string; reason: string; retryAt: Date | null }
  | { outcome: "failed"; final: boolean; attempts: number; error: string };

/** Thrown after a failed attempt has been recorded and another attempt will follow. */
export class RetryableExecutionError extends Error {}

interface ActionRow {
  id: number;
  type: string;
  status: string;
  execution_tier: number;
  action_data: unknown;
}

interface GuardVerdict {
  decision: "run" | "defer" | "wait" | "end" | "skip";
  mode: "live" | "dry_run" | null;
  reason: string | null;
  retry_at: Date | null;
  final_status: string | null;
}

export interface ExecuteOptions {
  /** An admin's forced execution: skips every guard but Tier 3 and finished actions, runs live. */
  force?: boolean;
  /** Who forced it; recorded as executed_by. */
  actor?: string;
}

export interface ExecutorDeps {
  pool: pg.Pool;
  handlers: ReadonlyMap<string, ActionHandler>;
  log: Logger;
}

/**
 * Executes one action in one transaction: lock it, ask the guards, parse its data, run the handler's
 * validate / prepareRollback / execute, claim a rate-limit slot, log, update the action. A handler that
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
  const client = await deps.pool.connect();
  let mode: "live" | "dry_run" = "live";
  let executedBy = "auto";
  let startedAt: number | undefined;
  try {
    await client.query("begin");
    // Marks content changes as the engine's own (see content.tg_mods__track_changes).
    await client.query("select set_config('autoexec.engine_executing', 'on', true)");
    const { rows } = await client.query<ActionRow>(
      "select id, type, status, execution_tier, action_data from autoexec.actions where id = $1 for update",
      [actionId],
    );
    const action = rows[0];
    if (!action) {
      await client.query("commit");
      return notNow({ decision: "skip", reason: "no such action", retry_at: null });
    }
    const verdict = (
      await client.query<GuardVerdict>("select * from autoexec_private.guard($1, $2)", [actionId, force])
    ).rows[0] as GuardVerdict;
    if (verdict.decision !== "run") {
      await recordDecision(client, actionId, verdict);
      await client.query("commit");
      log.debug({ decision: verdict.decision, reason: verdict.reason }, "action not executed now");
      return notNow(verdict);
    }
    mode = verdict.mode ?? "live";
    executedBy = force ? (options.actor ?? "admin") : action.status === "APPROVED" ? "approved" : "auto";

    const handler = deps.handlers.get(action.type);
    if (!handler) throw new Error(`no handler is registered for action type ${action.type}`);
    const parsed = handler.schema.safeParse(action.action_data);
    if (!parsed.success) {
      return await endInvalid(client, actionId, describeZodError(parsed.error), log);
    }

    const ctx: HandlerContext = { db: client, actionId };
    await client.query("savepoint handler");
    startedAt = performance.now();
    const validation = await handler.validate(ctx, parsed.data);
    if (!validation.valid) {
      await client.query("rollback to savepoint handler");
      return await endInvalid(client, actionId, validation.reason, log);
    }
    const prepared = await handler.prepareRollback(ctx, parsed.data);
    const result = await handler.execute(ctx, parsed.data);
    const durationMs = Math.round(performance.now() - startedAt);
    const rollbackData: Record<string, Json> = { ...prepared, ...result.rollbackData };

    let executedAt: Date | null = null;
    if (mode === "dry_run") {
      await client.query("rollback to savepoint handler");
    } else if (!force) {
      const slot = (
        await client.query<{ allowed: boolean; executed_at: Date; reason: string; retry_at: Date | null }>(
          "select * from autoexec_private.claim_execution_slot($1, $2)",
          [actionId, executedBy === "auto"],
        )
      ).rows[0];
      if (!slot?.allowed) {
        await client.query("rollback to savepoint handler");
        const deferral = {
          decision: slot?.retry_at ? "defer" : "wait",
          reason: slot?.reason ?? "no slot",
          retry_at: slot?.retry_at ?? null,
        } as const;
        await recordDecision(client, actionId, { ...deferral, final_status: null });
        await client.query("commit");
        log.debug({ reason: deferral.reason }, "rate limit reached; action deferred");
        return notNow(deferral);
      }
      executedAt = slot.executed_at;
    }
    const { rows: logged } = await client.query<{ id: number }>(
      "select autoexec_private.record_execution($1, $2, $3, coalesce($4, clock_timestamp()), $5, $6, $7) as id",
      [
        actionId,
        mode,
        executedBy,
        executedAt,
        JSON.stringify(result.output),
        JSON.stringify(rollbackData),
        durationMs,
      ],
    );
    await client.query("commit");
    const executionLogId = logged[0]?.id as number;
    log.info({ mode, executionLogId, durationMs, type: action.type }, "action executed");
    return { outcome: "executed", mode, executionLogId };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    const durationMs = startedAt === undefined ? 0 : Math.round(performance.now() - startedAt);
    const { rows } = await deps.pool.query<{ final: boolean; attempts: number }>(
      "select * from autoexec_private.record_failure($1, $2, $3, $4, $5)",
      [actionId, mode, executedBy, message, durationMs],
    );
    const failure = rows[0] ?? { final: true, attempts: 0 };
    log.warn({ err: error, attempts: failure.attempts, final: failure.final }, "action execution failed");
    if (!failure.final) {
      throw new RetryableExecutionError(`attempt ${failure.attempts} failed: ${message}`, { cause: error });
    }
    return { outcome: "failed", final: true, attempts: failure.attempts, error: message };
  } finally {
    client.release();
  }
}

async function recordDecision(
  client: pg.PoolClient,
  actionId: number,
  verdict: Pick<GuardVerdict, "decision" | "reason" | "retry_at" | "final_status">,
): Promise<void> {
  await client.query("select autoexec_private.record_decision($1, $2, $3, $4, $5)", [
    actionId,
    verdict.decision,
    verdict.reason,
    verdict.retry_at,
    verdict.final_status,
  ]);
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

function notNow(verdict: Pick<GuardVerdict, "decision" | "reason" | "retry_at">): ExecutionOutcome {
  return {
    outcome: "not_now",
    decision: verdict.decision,
    reason: verdict.reason ?? "",
    retryAt: verdict.retry_at,
  };
}

/** "modId: expected number, received string; position: ..." — one readable line for status_reason. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "action_data"}: ${issue.message}`)
    .join("; ");
}
