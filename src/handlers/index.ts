import addAffiliateLink from "./add-affiliate-link.ts";
import addToCollection from "./add-to-collection.ts";
import generateInternalLinkSuggestions from "./generate-internal-link-suggestions.ts";
import type { ActionHandler } from "./types.ts";
import updateMetaDescription from "./update-meta-description.ts";

/** Every action type the engine can execute. Tier 3 types have no handler, by design. */
export const handlers: ReadonlyMap<string, ActionHandler> = new Map(
  [addAffiliateLink, updateMetaDescription, addToCollection, generateInternalLinkSuggestions].map(
    (handler) => [handler.type, handler],
  ),
);
