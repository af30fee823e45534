import { type ActionStatus, type ExecutionMode, type Tier, tierNumber } from "../vocabulary.ts";

// Tier badges as PRD-18's "Admin UI Updates" asks: Tier 1 green "Auto", Tier 2 yellow "On Approval",
// Tier 3 red "Manual". Text carries the meaning; colour only repeats it.

const TIERS: Record<number, { label: string; title: string }> = {
  1: { label: "Auto", title: "Tier 1: executes automatically under the guardrails" },
  2: { label: "On Approval", title: "Tier 2: executes automatically once an admin approves it" },
  3: { label: "Manual", title: "Tier 3: never executed by the engine; an admin implements it by hand" },
};

/** `tier`: GraphQL's enum, or the number (REST's reports, the page's own text). */
export function TierBadge({ tier: given }: { tier: Tier | number }) {
  const tier = typeof given === "number" ? given : tierNumber(given);
  const info = TIERS[tier] ?? { label: `Tier ${tier}`, title: `Tier ${tier}` };
  return (
    <span className={`badge tier tier-${tier}`} title={info.title} data-tier={tier}>
      {info.label}
      <span className="visually-hidden"> (Tier {tier})</span>
    </span>
  );
}

const STATUS_CLASS: Record<ActionStatus, string> = {
  PENDING: "neutral",
  APPROVED: "info",
  EXECUTED: "good",
  IMPLEMENTED: "good",
  FAILED: "bad",
  INVALID: "bad",
  REJECTED: "muted",
  EXPIRED: "muted",
  ROLLED_BACK: "warn",
};

export function StatusBadge({ status }: { status: ActionStatus }) {
  return (
    <span className={`badge status status-${STATUS_CLASS[status]}`} data-status={status}>
      {status.replace("_", " ").toLowerCase()}
    </span>
  );
}

export function OutcomeBadge({ success, mode }: { success: boolean; mode: ExecutionMode }) {
  return (
    <span className={`badge status status-${success ? "good" : "bad"}`}>
      {success ? "succeeded" : "failed"}
      {mode === "dry_run" ? " (dry run)" : ""}
    </span>
  );
}
