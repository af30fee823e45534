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

/**
 * actionPreview and rollbackPreview: what an action would change if it executed now, and what
 * rolling back an execution would change now. Both run the engine's own handler code in a
 * transaction that is always rolled back, so viewers may ask for them.
 */
export function previewPlugin(deps: PreviewDeps): GraphileConfig.Plugin {
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
              const preview = await previewAction(deps, idArgument("actionId", raw));
              return preview && { ...preview, before: preview.change?.before, after: preview.change?.after };
            });
          },
          rollbackPreview(_$root, fieldArgs) {
            return lambda(fieldArgs.getRaw("executionLogId"), async (raw) => {
              const preview = await previewRollback(deps, idArgument("executionLogId", raw));
              return preview && { ...preview, before: preview.change?.before, after: preview.change?.after };
            });
          },
        },
      },
    },
  });
}
