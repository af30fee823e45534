import type pg from "pg";
import * as calls from "../db/calls.ts";
import { forgetReads, handlerContext } from "../handlers/content.ts";
import type { ActionHandler, ExecutionOutput, HandlerContext, Json } from "../handlers/types.ts";
import { describeIssues } from "../issues.ts";
import { OPEN_STATUSES } from "../vocabulary.ts";
import type { ExecutorDeps } from "./executor.ts";

/** What an execution changes: the fields it touches (handler.affected) before and after it. */
export interface ContentChange {
  before: Record<string, Json>;
  after: Record<string, Json>;
}

/**
 * Runs a handler's execute between two readings of what it touches. The executor and the preview
 * both execute through here, so a preview is the very change the execution will make.
 */
export async function executeWithChange<Data>(
  handler: ActionHandler<Data>,
  ctx: HandlerContext,
  data: Data,
): Promise<{ result: ExecutionOutput; change: ContentChange }> {
  const before = await handler.affected(ctx, data);
  const result = await handler.execute(ctx, data);
  forgetReads(ctx); // what validate and prepareRollback read is from before the write
  const after = await handler.affected(ctx, data, result.rollbackData);
  return { result, change: { before, after } };
}

/**
 * The statement that hands the change to the execution log (tg_execution_logs__record_change): a
 * transaction-local setting, sent in the same round trip as the log's insert.
 */
export function diffSetting(change: ContentChange): calls.Statement<unknown> {
  return calls.setConfig({
    settingName: "autoexec.execution_diff",
    newValue: JSON.stringify(change),
    isLocal: true,
  });
}

export interface PreviewSubject {
  id: number;
  title: string;
  slug: string;
}

export interface ActionPreview {
  actionId: number;
  type: string | null;
  /** False when the action would not change anything: `reason` says why (as its execution would). */
  ok: boolean;
  reason: string | null;
  change: ContentChange | null;
  /** What approveActionAsSeen records: the fingerprint of `change`. */
  hash: string | null;
  computedAt: string;
}

interface PreviewedAction {
  type: string;
  status: string;
  execution_tier: number;
  action_data: unknown;
}

/** Tier 1 and 2 actions in these statuses may still execute. */
const MAY_EXECUTE = new Set<string>(OPEN_STATUSES);

/**
 * What an action would change if it executed now: its handler runs exactly as in a dry run (parse,
 * validate, prepareRollback, execute) in a transaction that is always rolled back. No rate-limit slot
 * is claimed and nothing is logged. Refusals carry the reason the execution would record.
 */
export async function previewAction(
  deps: Pick<ExecutorDeps, "pool" | "handlers">,
  actionId: number,
): Promise<ActionPreview | null> {
  const computedAt = new Date().toISOString();
  const refused = (type: string | null, reason: string): ActionPreview => ({
    actionId,
    type,
    ok: false,
    reason,
    change: null,
    hash: null,
    computedAt,
  });
  return inRolledBackTransaction(deps.pool, async (client) => {
    const { rows } = await client.query<PreviewedAction>(
      "select type, status, execution_tier, action_data from autoexec.actions where id = $1",
      [actionId],
    );
    const action = rows[0];
    if (!action) return null;
    if (action.execution_tier === 3) {
      return refused(action.type, "manual only: the engine never executes Tier 3 actions");
    }
    if (!MAY_EXECUTE.has(action.status)) {
      return refused(action.type, `action is ${action.status}: it will not execute`);
    }
    const handler = deps.handlers.get(action.type);
    if (!handler) return refused(action.type, `no handler is registered for action type ${action.type}`);
    const parsed = handler.schema.safeParse(action.action_data);
    if (!parsed.success) return refused(action.type, describeIssues(parsed.error, "action_data"));
    const ctx = handlerContext(client, actionId);
    const validation = await handler.validate(ctx, parsed.data);
    if (!validation.valid) return refused(action.type, validation.reason);
    await handler.prepareRollback(ctx, parsed.data);
    await client.query("savepoint preview");
    let change: ContentChange;
    try {
      ({ change } = await executeWithChange(handler, ctx, parsed.data));
    } catch (error) {
      // What the execution would record as its failure (e.g. a constraint of the site's database).
      await client.query("rollback to savepoint preview");
      return refused(action.type, error instanceof Error ? error.message : String(error));
    }
    const hashed = await calls.runOne(client, calls.changeHash({ change }));
    return {
      actionId,
      type: action.type,
      ok: true,
      reason: null,
      change,
      hash: hashed.result,
      computedAt,
    };
  });
}

/**
 * Runs `work` as the engine would (its transactions are marked as the engine's), in a transaction
 * that is always rolled back: previews of executions and rollbacks. It waits briefly for a lock held
 * by an execution, never long.
 */
export async function inRolledBackTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    // One round trip: open, bound the lock wait, mark the transaction as the engine's.
    await client.query(
      "begin; set local lock_timeout = '2s'; select set_config('autoexec.engine_executing', 'on', true)",
    );
    return await work(client);
  } finally {
    await client.query("rollback").catch(() => undefined);
    client.release();
  }
}
