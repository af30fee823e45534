// What the UI asks of a tier, in one place: the tier fields (ActionType.tier, Action.executionTier,
// ExecutionLog.executionTier) are read as the schema types them here and in TierBadge only.
import type { ActionTypeRow } from "./queries.ts";

export type Tier = ActionTypeRow["tier"];

/** Tier 3 is recorded and never executed: an admin implements it by hand. */
export function isManualTier(tier: Tier): boolean {
  return tier === "TIER_3";
}
