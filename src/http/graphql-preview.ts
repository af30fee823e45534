import "./graphile-env.ts";
import type pg from "pg";
import { lambda, SafeError } from "postgraphile/grafast";
import { extendSchema, gql } from "postgraphile/utils";
import { previewAction } from "../engine/change.ts";
import { previewRollback } from "../engine/rollback.ts";
import type { ActionHandler } from "../handlers/types.ts";

export interface PreviewDeps {
  /** As autoexec_executor: a preview runs the handler (always rolled back), which needs its privileges. */
  pool: pg.Pool;
  handlers: ReadonlyMap<string, ActionHandler>;
}

function idArgument(name: string, raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new SafeError(`\`${name}\` must be a positive whole number`);
  return id;
}

/** Previews waiting for a turn beyond which more are refused at once, so a flood is not queued up. */
const PREVIEWS_WAITING = 20;

/**
 * Runs previews at most half the engine pool's size at a time (at least one): viewers may ask for
 * previews, and must not take the connections an admin's execution or rollback needs. A preview that
 * fails (a lock held past its timeout, a statement timeout) says why, as a GraphQL error.
 */
function previewGate(pool: pg.Pool) {
  const atOnce = Math.max(1, Math.floor((pool.options.max ?? 10) / 2));
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= atOnce) {
      if (waiting.length >= PREVIEWS_WAITING)
        throw new SafeError("too many previews are being computed at once; try again in a moment");
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running++;
    try {
      return await work();
    } catch (error) {
      throw new SafeError(`the preview could not be computed now: ${(error as Error).message}`);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * actionPreview and rollbackPreview: what an action would change if it executed now, and what
 * rolling back an execution would change now. Both run the engine's own handler code in a
 * transaction that is always rolled back, so viewers may ask for them.
 */
export function previewPlugin(deps: PreviewDeps): GraphileConfig.Plugin {
  const inTurn = previewGate(deps.pool);
  return extendSchema({
    typeDefs: gql`
      """
      What an action would change if it executed now, computed against the current content: its handler
      runs as in a dry run and is rolled back (no rate-limit slot, no execution logged).
      """
      type ActionPreview {
        actionId: BigInt!
        type: String
        "False when the action would change nothing; reason says why (the reason its execution would give)."
        ok: Boolean!
        reason: String
        "Each field the action touches, as it is now (e.g. metaDescription, body, affiliateLinks)."
        before: JSON
        "The same fields after the action."
        after: JSON
        "Pass to approveActionAsSeen: the execution then checks that it still makes this change."
        hash: String
        computedAt: Datetime!
      }

      "What rolling back an execution would change now (its rollback run and rolled back)."
      type RollbackPreview {
        executionLogId: BigInt!
        "False when it cannot be rolled back at all; reason says why."
        possible: Boolean!
        reason: String
        "How the content moved on since the execution; when non-empty only a forced rollback runs, and after shows what it leaves."
        conflicts: [String!]!
        before: JSON
        after: JSON
        computedAt: Datetime!
      }

      extend type Query {
        "What this action would change if it executed now; null when there is no such action."
        actionPreview(actionId: BigInt!): ActionPreview
        "What rolling back this execution would change now; null when there is no such execution."
        rollbackPreview(executionLogId: BigInt!): RollbackPreview
      }
    `,
    objects: {
      Query: {
        plans: {
          actionPreview(_$root, fieldArgs) {
            return lambda(fieldArgs.getRaw("actionId"), async (raw) => {
              const actionId = idArgument("actionId", raw);
              const preview = await inTurn(() => previewAction(deps, actionId));
              return preview && { ...preview, before: preview.change?.before, after: preview.change?.after };
            });
          },
          rollbackPreview(_$root, fieldArgs) {
            return lambda(fieldArgs.getRaw("executionLogId"), async (raw) => {
              const executionLogId = idArgument("executionLogId", raw);
              const preview = await inTurn(() => previewRollback(deps, executionLogId));
              return preview && { ...preview, before: preview.change?.before, after: preview.change?.after };
            });
          },
        },
      },
    },
  });
}
