import type pg from "pg";
import type { z } from "zod";
import type { ModReads } from "./content.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a handler may use: the execution's own transaction and the action being executed. */
export interface HandlerContext {
  /** Runs on the execution's transaction: everything commits or rolls back together. */
  db: Pick<pg.ClientBase, "query">;
  actionId: number;
  /**
   * The mods this execution has read and locked so far (lockMod and writeMod keep it; handlerContext
   * starts it with the mod start_execution locked), so each is read once per execution.
   */
  mods: ModReads;
}

export type Validation = { valid: true } | { valid: false; reason: string };

export interface ExecutionOutput {
  /** What the execution did, for the log and the admin (for a dry run: what it would have done). */
  output: Json;
  /** Added to what prepareRollback returned, for facts only known after executing (new row ids). */
  rollbackData?: Record<string, Json>;
}

/**
 * One action type. The executor calls validate, prepareRollback and execute in that order, on one
 * transaction, with action_data already parsed by `schema`; rollback undoes it from the stored data.
 * validate and prepareRollback only read (and lock) rows; execute is the only one that writes.
 */
export interface ActionHandler<Data = unknown> {
  type: string;
  tier: 1 | 2 | 3;
  schema: z.ZodType<Data>;
  /** Refusals here end the action INVALID with the reason; nothing is retried. */
  validate(ctx: HandlerContext, data: Data): Promise<Validation>;
  prepareRollback(ctx: HandlerContext, data: Data): Promise<Record<string, Json>>;
  execute(ctx: HandlerContext, data: Data): Promise<ExecutionOutput>;
  /**
   * The content this action changes, as it stands now, in the shape an admin reads it (titles, not
   * row ids; no timestamps), so a preview and the execution it previews compare equal. `rollbackData`
   * is given once the action has executed (e.g. the id of the page it created).
   */
  affected(
    ctx: HandlerContext,
    data: Data,
    rollbackData?: Record<string, Json>,
  ): Promise<Record<string, Json>>;
  /**
   * How the content differs from what the execution left behind, in sentences; empty when nothing
   * changed since, so rolling back restores exactly the content from before the execution.
   */
  conflicts(ctx: HandlerContext, rollbackData: Record<string, Json>): Promise<string[]>;
  /** Undoes the execution. When forced over conflicts, undoes only what the execution itself added. */
  rollback(ctx: HandlerContext, rollbackData: Record<string, Json>): Promise<void>;
}

/** Lets a handler file keep its data type while the registry holds handlers of every type. */
export function defineHandler<Data>(handler: ActionHandler<Data>): ActionHandler<unknown> {
  return handler as ActionHandler<unknown>;
}

export const invalid = (reason: string): Validation => ({ valid: false, reason });
export const VALID: Validation = { valid: true };
