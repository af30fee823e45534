import type pg from "pg";
import addAdSlot from "./add-ad-slot.ts";
import addAffiliateLink from "./add-affiliate-link.ts";
import addToCollection from "./add-to-collection.ts";
import createCollectionPage from "./create-collection-page.ts";
import expandContent from "./expand-content.ts";
import generateInternalLinkSuggestions from "./generate-internal-link-suggestions.ts";
import type { ActionHandler } from "./types.ts";
import updateMetaDescription from "./update-meta-description.ts";

/** Every action type the engine can execute. Tier 3 types have no handler, by design. */
export const handlers: ReadonlyMap<string, ActionHandler> = new Map(
  [
    addAffiliateLink,
    updateMetaDescription,
    addToCollection,
    generateInternalLinkSuggestions,
    expandContent,
    addAdSlot,
    createCollectionPage,
  ].map((handler) => [handler.type, handler]),
);

/**
 * How the registry disagrees with autoexec.action_types, which decides every action's tier: a handler
 * whose tier differs (or whose type the table lacks) would be executed under rules its author did not
 * mean, so a worker refuses to start with any.
 */
export async function handlerTierMismatches(
  db: Pick<pg.ClientBase, "query">,
  registry: ReadonlyMap<string, ActionHandler> = handlers,
): Promise<string[]> {
  const { rows } = await db.query<{ type: string; tier: number }>(
    "select type, tier from autoexec.action_types",
  );
  const tiers = new Map(rows.map((row) => [row.type, row.tier]));
  return [...registry.values()].flatMap((handler) => {
    const tier = tiers.get(handler.type);
    if (tier === undefined) return [`${handler.type} has a handler but no row in autoexec.action_types`];
    if (tier !== handler.tier)
      return [`${handler.type}'s handler says Tier ${handler.tier}, autoexec.action_types says Tier ${tier}`];
    return [];
  });
}
