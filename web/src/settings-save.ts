// The settings page's one save (autoexec.save_settings): what changed, which changes need a reason,
// and the rollout phases the page fills in. The "needs a reason" rules are the server's own
// (sql/functions/autoexec.save_settings.sql): the server refuses such a save without one anyway.
import { graphql } from "./graphql.ts";
import { type ActionTypeRow, SettingsFields } from "./queries.ts";
import { isManualTier } from "./vocabulary.ts";

// It answers the same fields the page reads (SettingsFields), since the form is refilled from the answer.
export const SAVE_SETTINGS = graphql(
  `mutation SaveSettings($changes: JSON, $types: JSON, $reason: String) {
    saveSettings(input: { changes: $changes, actionTypes: $types, reason: $reason }) {
      result { ...SettingsFields }
    }
  }`,
  [SettingsFields],
);

/** What the settings form holds: the two switches, and every other setting as the text of its field. */
export interface FormValues {
  enabled: boolean;
  dryRun: boolean;
  fields: Record<string, string>;
}

/** Each type's mode and daily cap as the form holds them (cap "" = no cap). */
export type TypeValues = Record<string, { mode: string; cap: string }>;

export function toTypeValues(rows: ActionTypeRow[]): TypeValues {
  return Object.fromEntries(
    rows.map((row) => [row.type, { mode: row.mode, cap: row.dailyCap === null ? "" : String(row.dailyCap) }]),
  );
}

export interface Change {
  label: string;
  before: string;
  after: string;
  /** Why this change needs a confirmation and a reason. */
  risky?: string;
}

/** Limits whose raise beyond tenfold is confirmed. */
const LIMITS = ["hourlyLimit", "dailyLimit", "rateLimitKeyLimit"];

export function describeChanges(
  settings: { form: FormValues; initial: FormValues; labels: Record<string, string> },
  actionTypes: { types: TypeValues; initialTypes: TypeValues },
): Change[] {
  const { form, initial, labels } = settings;
  const changes: Change[] = [];
  const live = (values: FormValues) => values.enabled && !values.dryRun;
  const goesLive = live(form) && !live(initial);
  const yesNo = (value: boolean) => (value ? "on" : "off");
  if (form.enabled !== initial.enabled) {
    changes.push({
      label: "Auto-execution enabled",
      before: yesNo(initial.enabled),
      after: yesNo(form.enabled),
      ...(goesLive && !initial.dryRun ? { risky: "goes live" } : {}),
    });
  }
  if (form.dryRun !== initial.dryRun) {
    changes.push({
      label: "Dry run",
      before: yesNo(initial.dryRun),
      after: yesNo(form.dryRun),
      ...(goesLive ? { risky: "leaves dry run: changes become real" } : {}),
    });
  }
  for (const [key, label] of Object.entries(labels)) {
    const before = initial.fields[key] ?? "";
    const after = (form.fields[key] ?? "").trim();
    if (before === after) continue;
    const tenfold = LIMITS.includes(key) && Number(after) > 10 * Math.max(Number(before), 1);
    changes.push({
      label,
      before: before || "—",
      after: after || "—",
      ...(tenfold ? { risky: "more than ten times the current limit" } : {}),
    });
  }
  for (const [type, value] of Object.entries(actionTypes.types)) {
    const before = actionTypes.initialTypes[type];
    if (!before) continue;
    if (before.mode !== value.mode) {
      changes.push({
        label: `${type}: mode`,
        before: before.mode,
        after: value.mode,
        ...(value.mode === "live" ? { risky: "this type goes live" } : {}),
      });
    }
    if (before.cap !== value.cap.trim()) {
      changes.push({
        label: `${type}: daily cap`,
        before: before.cap || "no cap",
        after: value.cap.trim() || "no cap",
      });
    }
  }
  return changes;
}

export const PHASES: Record<string, string> = {
  "1": "Phase 1, dry run: engine on, every type dry-runs.",
  "2": "Phase 2, limited: ADD_AFFILIATE_LINK live with at most 5 a day; the other types dry-run.",
  "3": "Phase 3, expanded: every Tier 1 and Tier 2 type live, no per-type caps.",
};

/** The action types as rollout phase 1, 2 or 3 sets them (as autoexec.apply_rollout_phase does). */
export function phaseTarget(phase: number, rows: ActionTypeRow[]): TypeValues {
  return Object.fromEntries(
    rows
      .filter((row) => !isManualTier(row.tier))
      .map((row) => {
        const limited = phase === 2 && row.type === "ADD_AFFILIATE_LINK";
        return [row.type, { mode: phase === 3 || limited ? "live" : "dry_run", cap: limited ? "5" : "" }];
      }),
  );
}

/** The phase the saved settings are actually in, or null when they match none. */
export function actualPhase(
  switches: { enabled: boolean; dryRun: boolean },
  types: TypeValues,
  rows: ActionTypeRow[],
): number | null {
  if (!switches.enabled) return null;
  for (const phase of [1, 2, 3]) {
    if (switches.dryRun !== (phase === 1)) continue;
    const target = phaseTarget(phase, rows);
    if (
      Object.entries(target).every(([type, value]) => JSON.stringify(types[type]) === JSON.stringify(value))
    )
      return phase;
  }
  return null;
}
