// The engine's vocabularies as TypeScript sees them. The database defines each one as the rows of a
// table (sql/migrations/084_vocabularies.sql); test/state-machine.test.ts keeps these lists equal to
// those rows, and GraphQL serves them as enums of the same spelling.

/** autoexec.action_statuses: where an action is in its life (docs/state_machine.md). */
export const ACTION_STATUSES = [
  "PENDING",
  "APPROVED",
  "EXECUTED",
  "FAILED",
  "ROLLED_BACK",
  "REJECTED",
  "INVALID",
  "EXPIRED",
  "IMPLEMENTED",
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** The statuses in which the engine may still execute an action; every other one is final or waits for an admin. */
export const OPEN_STATUSES: readonly ActionStatus[] = ["PENDING", "APPROVED"];

/** autoexec_private.execution_decisions: what start_execution tells the executor (and review, the executor's own). */
export const EXECUTION_DECISIONS = ["run", "no_slot", "defer", "wait", "end", "skip", "review"] as const;
export type ExecutionDecision = (typeof EXECUTION_DECISIONS)[number];

/** The decisions with which nothing executes, as an execution request hears them (REST's 409 `decision`). */
export const NOT_NOW_DECISIONS = [
  "defer",
  "wait",
  "end",
  "skip",
  "review",
] as const satisfies readonly ExecutionDecision[];
export type NotNowDecision = (typeof NOT_NOW_DECISIONS)[number];

/** autoexec.execution_modes: how an execution ran (autoexec.execution_logs.mode). */
export const EXECUTION_MODES = ["live", "dry_run"] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** autoexec.action_type_modes: what the engine does with an action type (autoexec.action_types.mode). */
export const ACTION_TYPE_MODES = ["disabled", "dry_run", "live"] as const;
export type ActionTypeMode = (typeof ACTION_TYPE_MODES)[number];

/** autoexec.wait_kinds: why a pending or approved action waits (autoexec.actions.wait_kind). */
export const WAIT_KINDS = [
  "line",
  "dispatched",
  "hold",
  "until",
  "threshold",
  "type_off",
  "dry_run_done",
] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** autoexec.execution_tiers as GraphQL spells them (the enum Tier); SQL and REST speak the numbers 1 to 3. */
export const TIERS = ["TIER_1", "TIER_2", "TIER_3"] as const;
export type Tier = (typeof TIERS)[number];

/** A tier's number (REST, the URL's filters, "Tier 2"). */
export function tierNumber(tier: Tier): number {
  return TIERS.indexOf(tier) + 1;
}

/** The enum value of a tier's number. */
export function tierOf(tierNo: number): Tier {
  const tier = TIERS[tierNo - 1];
  if (!tier) throw new Error(`no tier ${tierNo}`);
  return tier;
}

/** autoexec.notification_severities: how urgent a notification is. */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
