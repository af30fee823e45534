import { Hono } from "hono";
import type pg from "pg";
import { type ExecutionOutcome, executeAction, RetryableExecutionError } from "../engine/executor.ts";
import { type RollbackOutcome, rollbackExecution } from "../engine/rollback.ts";
import { EngineBusyError } from "../engine/timeouts.ts";
import type { ActionHandler } from "../handlers/types.ts";
import type { Logger } from "../logger.ts";
import { type AppEnv, requireAdmin } from "./auth.ts";
import { jsonError } from "./errors.ts";
import { ExecuteRequest, RollbackRequest } from "./schemas.ts";
import { jsonBody } from "./validate.ts";

export interface ExecutionRoutesDeps {
  /** Connections as autoexec_executor: these routes run the engine itself. */
  executorPool: pg.Pool;
  handlers: ReadonlyMap<string, ActionHandler>;
  log: Logger;
}

/**
 * POST /execute and POST /execute/rollback (PRD-18), admins only. Both run the engine's own code
 * (executeAction, rollbackExecution) with the admin's JWT subject as the actor.
 * HTTP status: 200 when an execution ran (`success` says whether it worked), 404 unknown id,
 * 409 refused by the action's state or the guards, 422 action data refused by its handler, 503 a lock
 * it needs was held longer than the lock timeout (nothing ran).
 */
export function executionRoutes(deps: ExecutionRoutesDeps): Hono<AppEnv> {
  const engine = { pool: deps.executorPool, handlers: deps.handlers, log: deps.log };
  const app = new Hono<AppEnv>();
  // Per route: a sub-app's app.use() would cover every route mounted under the same prefix.

  app.post("/execute", requireAdmin, async (c) => {
    const { actionId, force = false, reason } = await jsonBody(c, ExecuteRequest);
    const { sub } = c.get("principal");
    const { rows } = await deps.executorPool.query<{ execution_tier: number; status: string }>(
      "select execution_tier, status from autoexec.actions where id = $1",
      [actionId],
    );
    const action = rows[0];
    if (!action) return jsonError(c, 404, `action ${actionId} not found`);
    if (action.execution_tier === 3) {
      return jsonError(
        c,
        409,
        `action ${actionId} is Tier 3: the engine never executes Tier 3 actions, with or without force; an admin ` +
          "carries it out by hand and records it with the markActionImplemented mutation",
      );
    }
    deps.log.info({ actionId, force, reason, actor: sub }, "execution requested through the API");
    let outcome: ExecutionOutcome;
    try {
      outcome = await executeAction(engine, actionId, { force, actor: sub, reason });
    } catch (error) {
      if (error instanceof EngineBusyError) {
        return jsonError(c, 503, `the engine is busy: ${error.message}; nothing was executed, try again`);
      }
      if (!(error instanceof RetryableExecutionError)) throw error;
      // The failed attempt is recorded; the engine retries it later.
      const log = await latestLog(deps.executorPool, actionId);
      return c.json({ success: false, error: error.message, ...(log ? { executionLog: log } : {}) });
    }
    switch (outcome.outcome) {
      case "executed":
        return c.json({
          success: true,
          executionLog: await logById(deps.executorPool, outcome.executionLogId),
        });
      case "failed": {
        const log = await latestLog(deps.executorPool, actionId);
        return c.json({ success: false, error: outcome.error, ...(log ? { executionLog: log } : {}) });
      }
      case "invalid":
        return jsonError(c, 422, `the action's data was refused: ${outcome.reason}`);
      case "not_now":
        return jsonError(c, 409, notNowMessage(actionId, outcome, force), {
          decision: outcome.decision,
          retryAt: outcome.retryAt?.toISOString() ?? null,
        });
    }
  });

  app.post("/execute/rollback", requireAdmin, async (c) => {
    const { executionLogId, reason, force = false } = await jsonBody(c, RollbackRequest);
    const { sub } = c.get("principal");
    let result: RollbackOutcome;
    try {
      result = await rollbackExecution(engine, { executionLogId, reason, actor: sub, force });
    } catch (error) {
      if (!(error instanceof EngineBusyError)) throw error;
      return jsonError(c, 503, `the engine is busy: ${error.message}; nothing was rolled back`);
    }
    if (result.success) {
      return c.json({
        success: true,
        executionLogId: result.executionLogId,
        actionId: result.actionId,
        forced: result.forced,
        conflicts: result.conflicts,
      });
    }
    const status = {
      not_found: 404,
      not_rollbackable: 409,
      conflict: 409,
      nothing_to_undo: 409,
      bad_request: 400,
    } as const;
    return jsonError(
      c,
      status[result.code],
      result.error,
      result.conflicts ? { conflicts: result.conflicts } : {},
    );
  });

  return app;
}

/** Why nothing ran; a forced request held by a switch says that force does not override it. */
function notNowMessage(
  actionId: number,
  outcome: { decision: string; reason: string },
  force: boolean,
): string {
  const reason = outcome.reason || `action ${actionId} cannot be executed now`;
  return force && outcome.decision === "wait"
    ? `${reason}; force does not override the global switch or a disabled action type`
    : reason;
}

async function logById(pool: pg.Pool, id: number): Promise<unknown> {
  const { rows } = await pool.query<{ log: unknown }>(
    "select autoexec_private.execution_log_json(l) as log from autoexec.execution_logs l where l.id = $1",
    [id],
  );
  return rows[0]?.log;
}

async function latestLog(pool: pg.Pool, actionId: number): Promise<unknown> {
  const { rows } = await pool.query<{ log: unknown }>(
    `select autoexec_private.execution_log_json(l) as log from autoexec.execution_logs l
     where l.action_id = $1 order by l.id desc limit 1`,
    [actionId],
  );
  return rows[0]?.log;
}
