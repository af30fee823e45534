// The UI speaks the engine's vocabularies (statuses, modes, wait kinds, tiers): one module, shared with the server.
import type { Tier } from "../../src/vocabulary.ts";

export * from "../../src/vocabulary.ts";

/** Tier 3 is recorded and never executed: an admin implements it by hand. */
export function isManualTier(tier: Tier): boolean {
  return tier === "TIER_3";
}
