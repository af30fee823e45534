// The settings form, in one place: one descriptor per setting (label, help, unit, group), how a saved
// setting becomes the text of its field and back, and what the server would refuse. Adding a setting
// to the page is its descriptor here and its field in SettingsFields (queries.ts); the key's type
// makes a descriptor without that field fail the type-check.
import { intervalSeconds } from "../../format.ts";
import type { SettingLimit, Settings } from "../../queries.ts";
import type { FormValues } from "../../settings-save.ts";

type Kind = "int" | "decimal" | "percent" | "text" | "seconds" | "minutes" | "hours" | "days";
export interface Field {
  key: Exclude<keyof Settings, "enabled" | "dryRun" | "updatedAt">;
  label: string;
  help: string;
  kind: Kind;
  /** Empty is allowed: the setting is unset (for the confident allowance, emptying its confidence removes it). */
  optional?: boolean;
}
const UNIT_SECONDS: Partial<Record<Kind, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

export const GROUPS: { legend: string; fields: Field[] }[] = [
  {
    legend: "Thresholds (Tier 1)",
    fields: [
      {
        key: "minConfidence",
        label: "Minimum confidence",
        help: "Tier 1 runs only above this (0 to 1).",
        kind: "decimal",
      },
      {
        key: "minRevenueImpact",
        label: "Minimum revenue impact (USD/month)",
        help: "Tier 1 runs only above this.",
        kind: "decimal",
      },
    ],
  },
  {
    legend: "Rate limits (live Tier 1, across all workers)",
    fields: [
      { key: "hourlyLimit", label: "Executions per hour", help: "Rolling hour.", kind: "int" },
      { key: "dailyLimit", label: "Executions per day", help: "Rolling 24 hours.", kind: "int" },
      {
        key: "rateLimitKeyLimit",
        label: "Executions per rate-limit key",
        help: "Per key such as mod:123, within the window below.",
        kind: "int",
      },
      {
        key: "rateLimitKeyWindow",
        label: "Rate-limit key window (hours)",
        help: "",
        kind: "hours",
      },
      {
        key: "confidentMinConfidence",
        optional: true,
        label: "Confident allowance: from confidence",
        help: "Actions at or above this confidence count against their own limits below (rollout phase 3 sets 0.9; empty removes the allowance).",
        kind: "decimal",
      },
      {
        key: "confidentHourlyLimit",
        optional: true,
        label: "Confident allowance per hour",
        help: "",
        kind: "int",
      },
      {
        key: "confidentDailyLimit",
        optional: true,
        label: "Confident allowance per 24 hours",
        help: "",
        kind: "int",
      },
    ],
  },
  {
    legend: "Safety",
    fields: [
      {
        key: "recentEditWindow",
        label: "Quiet period after an outside edit (hours)",
        help: "A Tier 1 action on a mod waits this long after anyone else edited it.",
        kind: "hours",
      },
      {
        key: "failuresBeforeCooldown",
        label: "Failures in a row before a cooldown",
        help: "",
        kind: "int",
      },
      { key: "cooldown", label: "Cooldown (minutes)", help: "", kind: "minutes" },
      {
        key: "breakerWindow",
        label: "Circuit breaker window (executions)",
        help: "The breaker looks at this many recent executions.",
        kind: "int",
      },
      {
        key: "breakerMinExecutions",
        label: "Circuit breaker minimum executions",
        help: "It opens only once at least this many ran.",
        kind: "int",
      },
      {
        key: "breakerFailureRate",
        label: "Circuit breaker failure rate (%)",
        help: "It opens above this share of failures.",
        kind: "percent",
      },
      {
        key: "typeBreakerWindow",
        label: "Per-type breaker window (actions)",
        help: "Each action type's own breaker looks at this many of its recent actions.",
        kind: "int",
      },
      {
        key: "typeBreakerMinExecutions",
        label: "Per-type breaker minimum executions",
        help: "A type's breaker opens only once at least this many of its actions ran.",
        kind: "int",
      },
      {
        key: "typeBreakerFailureRate",
        label: "Per-type breaker failure rate (%)",
        help: "Above this share of failures that type alone is paused.",
        kind: "percent",
      },
      {
        key: "breakerProbes",
        label: "Probes after a breaker reset",
        help: "This many executions run one at a time after a reset; a failing one re-opens the breaker.",
        kind: "int",
      },
      { key: "maxAttempts", label: "Attempts before an action fails", help: "", kind: "int" },
    ],
  },
  {
    legend: "Lifecycle and alerts",
    fields: [
      {
        key: "pendingTtl",
        label: "Undecided proposals expire after (days)",
        help: "A Tier 2 proposal nobody approved or rejected within this ends expired.",
        kind: "days",
      },
      {
        key: "approvalTtl",
        label: "Approval valid for (hours)",
        help: "An approved action not executed within this expires.",
        kind: "hours",
      },
      {
        key: "rollbackRetention",
        label: "Keep rollback data (days)",
        help: "Older executions can no longer be rolled back.",
        kind: "days",
      },
      {
        key: "staleJobAfter",
        label: "Release a stuck job after (minutes)",
        help: "",
        kind: "minutes",
      },
      {
        key: "webhookUrl",
        label: "Alert webhook URL",
        help: "Every notification is also POSTed here. Empty: none.",
        kind: "text",
        optional: true,
      },
      {
        key: "siteUrl",
        label: "Public site address",
        help: "Links to a mod's page start with it, e.g. https://musthavemods.com.",
        kind: "text",
      },
    ],
  },
];
export const FIELDS = GROUPS.flatMap((group) => group.fields);
export const FIELD_LABELS: Record<string, string> = Object.fromEntries(
  FIELDS.map((field) => [field.key, field.label]),
);

/** A value of the server's units (seconds, a fraction) in the field's units (minutes, %). */
function inFieldUnits(field: Field, amount: number): number {
  const unit = UNIT_SECONDS[field.kind];
  return Number((unit ? amount / unit : field.kind === "percent" ? amount * 100 : amount).toFixed(4));
}

export function toForm(settings: Settings): FormValues {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = settings[field.key];
    if (UNIT_SECONDS[field.kind])
      fields[field.key] = String(inFieldUnits(field, intervalSeconds(value as never)));
    else if (field.kind === "percent") fields[field.key] = String(inFieldUnits(field, Number(value)));
    else fields[field.key] = value === null ? "" : String(value);
  }
  return { enabled: settings.enabled, dryRun: settings.dryRun, fields };
}

/** The settings column of a field: hourlyLimit → hourly_limit. */
export const columnOf = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A bound in the field's words: "0", "100 %", "1 second (0.0167 minutes)". */
function boundText(field: Field, amount: number): string {
  const shown = inFieldUnits(field, amount).toLocaleString("en", { maximumFractionDigits: 4 });
  if (field.kind === "percent") return `${shown} %`;
  if (!UNIT_SECONDS[field.kind]) return shown;
  const whole = Number.isInteger(inFieldUnits(field, amount));
  return whole
    ? `${shown} ${field.kind}`
    : `${amount} second${amount === 1 ? "" : "s"} (${shown} ${field.kind})`;
}

/** What is wrong with a field's text, in the page's words; undefined when the server would take it. */
function fieldError(field: Field, raw: string, limit: SettingLimit | undefined): string | undefined {
  const text = raw.trim();
  if (text === "") return field.optional ? undefined : "Enter a value.";
  if (field.kind === "text") {
    return !limit?.pattern || new RegExp(limit.pattern).test(text)
      ? undefined
      : `Enter ${limit.patternInWords}${field.optional ? ", or leave it empty" : ""}.`;
  }
  const number = Number(text);
  if (!Number.isFinite(number)) return "Enter a number.";
  if (field.kind === "int" && !Number.isInteger(number)) return "Enter a whole number.";
  if (!limit) return undefined;
  const minimum = limit.minimum === null ? undefined : inFieldUnits(field, Number(limit.minimum));
  const maximum = limit.maximum === null ? undefined : inFieldUnits(field, Number(limit.maximum));
  if (minimum !== undefined && (limit.minimumExclusive ? number <= minimum : number < minimum)) {
    const bound = boundText(field, Number(limit.minimum));
    return limit.minimumExclusive ? `Must be more than ${bound}.` : `At least ${bound}.`;
  }
  if (maximum !== undefined && number > maximum) return `At most ${boundText(field, Number(limit.maximum))}.`;
  return undefined;
}

/** Each field's problem (undefined: none), against the bounds the server states (allSettingLimitsList). */
export function fieldErrors(form: FormValues, limits: SettingLimit[]): Record<string, string | undefined> {
  const byName = new Map(limits.map((limit) => [limit.name, limit]));
  return Object.fromEntries(
    FIELDS.map((field) => [
      field.key,
      fieldError(field, form.fields[field.key] ?? "", byName.get(columnOf(field.key))),
    ]),
  );
}

/** The range of the integer column action_types.daily_cap. */
const MAX_INTEGER = 2_147_483_647;

/** A daily cap's problem in the page's words; undefined when the server would take it. */
export function capError(cap: string): string | undefined {
  const text = cap.trim();
  return text === "" || (/^\d+$/.test(text) && Number(text) <= MAX_INTEGER)
    ? undefined
    : "A whole number, 0 or more; empty for no cap.";
}

/** The settings that changed, as save_settings takes them (column names, intervals as text). */
export function settingsChanges(form: FormValues, initial: FormValues): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (form.enabled !== initial.enabled) changes.enabled = form.enabled;
  if (form.dryRun !== initial.dryRun) changes.dry_run = form.dryRun;
  for (const field of FIELDS) {
    const raw = (form.fields[field.key] ?? "").trim();
    if (raw === (initial.fields[field.key] ?? "")) continue;
    if (raw === "" && field.optional) {
      if (field.key === "confidentMinConfidence") changes.remove_confident_allowance = true;
      continue;
    }
    const number = Number(raw);
    const unit = UNIT_SECONDS[field.kind];
    changes[columnOf(field.key)] =
      field.kind === "text"
        ? raw
        : field.kind === "percent"
          ? String(number / 100)
          : unit
            ? `${Math.round(number * unit)} seconds`
            : field.kind === "int"
              ? number
              : raw;
  }
  return changes;
}

/** A server message in the page's words: column names become the fields' labels. */
export function inPageWords(message: string | undefined): string | undefined {
  if (!message) return message;
  return FIELDS.reduce(
    (text, field) => text.replaceAll(columnOf(field.key), `"${field.label}"`),
    message.replaceAll("dry_run", '"Dry run"'),
  );
}
