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
