import { useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { AuditTrail } from "../components/AuditTrail.tsx";
import { TierBadge } from "../components/Badges.tsx";
import { TextDialog } from "../components/Dialog.tsx";
import { FreezeWindows } from "../components/FreezeWindows.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { Time } from "../components/Time.tsx";
import { TypeBreakers } from "../components/TypeBreakers.tsx";
import { intervalSeconds } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { errorText, usePolledQuery } from "../hooks.ts";
import {
  type ActionTypeRow,
  CLEAR_COOLDOWN,
  type EngineState,
  RESET_BREAKER,
  SETTINGS_PAGE,
  type SettingLimit,
  type Settings,
  type TypeBreaker,
} from "../queries.ts";
import { setNavigationGuard } from "../router.tsx";
import { READ_ONLY, useSession } from "../session.tsx";
import {
  actualPhase,
  type Change,
  describeChanges,
  PHASES,
  phaseTarget,
  SAVE_SETTINGS,
  type TypeValues,
  toTypeValues,
} from "../settings-save.ts";

type Kind = "int" | "decimal" | "percent" | "text" | "seconds" | "minutes" | "hours" | "days";
interface Field {
  key: keyof Settings;
  label: string;
  help: string;
  kind: Kind;
  /** Empty is allowed: the setting is unset (for the confident allowance, emptying its confidence removes it). */
  optional?: boolean;
}
const UNIT_SECONDS: Partial<Record<Kind, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

const GROUPS: { legend: string; fields: Field[] }[] = [
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
const FIELDS = GROUPS.flatMap((group) => group.fields);
export const FIELD_LABELS: Record<string, string> = Object.fromEntries(
  FIELDS.map((field) => [field.key, field.label]),
);

type FormValues = Record<string, string>;

function toForm(settings: Settings): FormValues {
  const values: FormValues = {
    enabled: String(settings.enabled),
    dryRun: String(settings.dryRun),
  };
  for (const field of FIELDS) {
    const value = settings[field.key];
    const unit = UNIT_SECONDS[field.kind];
    if (unit) values[field.key] = String(Number((intervalSeconds(value as never) / unit).toFixed(4)));
    else if (field.kind === "percent") values[field.key] = String(Number((Number(value) * 100).toFixed(4)));
    else values[field.key] = value === null ? "" : String(value);
  }
  return values;
}

/** The range of the integer column action_types.daily_cap. */
const MAX_INTEGER = 2_147_483_647;

/** The settings column of a field: hourlyLimit → hourly_limit. */
const columnOf = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A value of the server's units (seconds, a fraction) in the field's units (minutes, %). */
function inFieldUnits(field: Field, amount: number): number {
  const unit = UNIT_SECONDS[field.kind];
  return Number((unit ? amount / unit : field.kind === "percent" ? amount * 100 : amount).toFixed(4));
}

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

/** The settings that changed, as save_settings takes them (column names, intervals as text). */
function settingsChanges(form: FormValues, initial: FormValues): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (form.enabled !== initial.enabled) changes.enabled = form.enabled === "true";
  if (form.dryRun !== initial.dryRun) changes.dry_run = form.dryRun === "true";
  for (const field of FIELDS) {
    const raw = (form[field.key] ?? "").trim();
    if (raw === (initial[field.key] ?? "")) continue;
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
function inPageWords(message: string | undefined): string | undefined {
  if (!message) return message;
  return FIELDS.reduce(
    (text, field) => text.replaceAll(columnOf(field.key), `"${field.label}"`),
    message.replaceAll("dry_run", '"Dry run"'),
  );
}

export function SettingsPage() {
  const [{ data, error, fetching }, refresh] = usePolledQuery({ query: SETTINGS_PAGE }, 3000);
  const [auditVersion, setAuditVersion] = useState(0);
  const changed = () => {
    refresh();
    setAuditVersion((version) => version + 1);
  };
  if (!data?.currentSettings || !data.circuitBreaker) {
    return (
      <section aria-labelledby="settings-title" className="settings">
        <h1 id="settings-title">Settings</h1>
        <LoadState
          what="the settings"
          loaded={false}
          error={fetching ? undefined : error}
          empty={false}
          emptyText=""
          retry={refresh}
        />
      </section>
    );
  }
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <LoadState what="the latest settings" loaded error={error} empty={false} emptyText="" retry={refresh} />
      <SettingsForm
        settings={data.currentSettings}
        types={nodesOf(data.allActionTypes)}
        limits={data.allSettingLimitsList ?? []}
        breaker={data.circuitBreaker}
        typeBreakers={nodesOf(data.allTypeBreakers)}
        onSaved={changed}
      />
      <FreezeWindows onChanged={changed} />
      <AuditTrail version={auditVersion} />
    </section>
  );
}

/**
 * The whole page is one form: engine settings, rollout phase and action types, saved by one button in
 * one transaction (save_settings). Going live, leaving dry run, a type going live or a limit raised more
 * than tenfold is confirmed first, with the diff and a reason that the audit trail keeps.
 */
function SettingsForm(props: {
  settings: Settings;
  types: ActionTypeRow[];
  limits: SettingLimit[];
  breaker: EngineState;
  typeBreakers: TypeBreaker[];
  onSaved(): void;
}) {
  const { canChange } = useSession();
  const [initial, setInitial] = useState(() => toForm(props.settings));
  const limits = new Map(props.limits.map((limit) => [limit.name, limit]));
  const [form, setForm] = useState(initial);
  const [initialTypes, setInitialTypes] = useState(() => toTypeValues(props.types));
  const [types, setTypes] = useState(initialTypes);
  const [showErrors, setShowErrors] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [confirming, setConfirming] = useState<Change[]>();
  const [, saveSettings] = useMutation(SAVE_SETTINGS);
  const baseId = useId();
  const dirty =
    JSON.stringify(form) !== JSON.stringify(initial) ||
    JSON.stringify(types) !== JSON.stringify(initialTypes);

  // Someone else (or another tab) changed the settings: follow, keeping this form's unsaved edits.
  const serverKey = JSON.stringify([toForm(props.settings), toTypeValues(props.types)]);
  const latest = useRef({ initial, initialTypes, dirty });
  latest.current = { initial, initialTypes, dirty };
  useEffect(() => {
    const [next, nextTypes] = JSON.parse(serverKey) as [FormValues, TypeValues];
    if (JSON.stringify([latest.current.initial, latest.current.initialTypes]) === serverKey) return;
    if (!latest.current.dirty) {
      setForm(next);
      setTypes(nextTypes);
    }
    setInitial(next);
    setInitialTypes(nextTypes);
  }, [serverKey]);

  // Leaving with unsaved edits asks first: a reload or closing the tab, and a link inside the app.
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", beforeUnload);
    const release = setNavigationGuard(() =>
      window.confirm("The settings have unsaved changes. Leave without saving?"),
    );
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      release();
    };
  }, [dirty]);

  const errors = Object.fromEntries(
    FIELDS.map((field) => [
      field.key,
      fieldError(field, form[field.key] ?? "", limits.get(columnOf(field.key))),
    ]),
  );
  const typeErrors = Object.fromEntries(
    Object.entries(types).map(([type, value]) => [
      type,
      value.cap.trim() === "" || (/^\d+$/.test(value.cap.trim()) && Number(value.cap) <= MAX_INTEGER)
        ? undefined
        : "A whole number, 0 or more; empty for no cap.",
    ]),
  );
  const invalid = Object.values(errors).some(Boolean) || Object.values(typeErrors).some(Boolean);
  const set = (key: string, value: string) => setForm({ ...form, [key]: value });
  const changes = () =>
    describeChanges(
      { form, initial, labels: FIELD_LABELS },
      { types, initialTypes, tiers: Object.fromEntries(props.types.map((row) => [row.type, row.tier])) },
    );

  const submit = async (reason: string | null): Promise<string | undefined> => {
    const typeChanges = Object.entries(types)
      .filter(([type, value]) => JSON.stringify(value) !== JSON.stringify(initialTypes[type]))
      .map(([type, value]) => ({
        type,
        mode: value.mode,
        dailyCap: value.cap.trim() === "" ? null : Number(value.cap),
      }));
    const result = await saveSettings({
      changes: settingsChanges(form, initial),
      types: typeChanges,
      reason,
    });
    if (result.error) return inPageWords(errorText(result.error));
    const count = changes().length;
    setError(undefined);
    setShowErrors(false);
    setNotice(`Saved ${count} change${count === 1 ? "" : "s"}.`);
    const saved = result.data?.saveSettings?.result as Settings | undefined;
    if (saved) {
      const next = toForm(saved);
      setInitial(next);
      setForm(next);
    }
    setInitialTypes(types);
    props.onSaved();
    return undefined;
  };
  const saveAll = async () => {
    if (invalid) {
      setShowErrors(true);
      setError("Some values cannot be saved: see the fields marked below.");
      (document.querySelector(`[aria-invalid="true"]`) as HTMLElement | null)?.focus();
      return;
    }
    const list = changes();
    if (!list.length) return;
    if (list.some((change) => change.risky)) {
      setConfirming(list);
      return;
    }
    const failure = await submit(null);
    if (failure) setError(failure);
  };

  const input = (field: Field) => {
    const id = `${baseId}-${field.key}`;
    const helpId = `${id}-help`;
    const errorId = `${id}-error`;
    const problem = showErrors || form[field.key] !== initial[field.key] ? errors[field.key] : undefined;
    return (
      <div className="field" key={field.key}>
        <label htmlFor={id}>{field.label}</label>
        <input
          id={id}
          name={field.key}
          type={field.kind === "text" ? "url" : "text"}
          inputMode={field.kind === "int" ? "numeric" : field.kind === "text" ? "url" : "decimal"}
          value={form[field.key] ?? ""}
          onChange={(event) => set(field.key, event.target.value)}
          disabled={!canChange}
          aria-invalid={problem ? true : undefined}
          aria-describedby={
            [field.help ? helpId : "", problem ? errorId : ""].filter(Boolean).join(" ") || undefined
          }
        />
        {problem ? (
          <span id={errorId} className="field-error">
            {problem}
          </span>
        ) : null}
        {field.help ? (
          <span id={helpId} className="help">
            {field.help}
          </span>
        ) : null}
      </div>
    );
  };
  const check = (key: "enabled" | "dryRun", label: string, help: string) => (
    <div className="check">
      <input
        id={`${baseId}-${key}`}
        type="checkbox"
        checked={form[key] === "true"}
        onChange={(event) => set(key, String(event.target.checked))}
        disabled={!canChange}
        aria-describedby={`${baseId}-${key}-help`}
      />
      <label htmlFor={`${baseId}-${key}`}>{label}</label>
      <span id={`${baseId}-${key}-help`} className="help">
        {help}
      </span>
    </div>
  );
  const current = actualPhase(
    { enabled: initial.enabled === "true", dryRun: initial.dryRun === "true" },
    initialTypes,
    props.types,
  );
  const applyPhase = (phase: number) => {
    const target = phaseTarget(phase, props.types);
    setForm({ ...form, enabled: "true", dryRun: String(phase === 1) });
    setTypes({ ...types, ...target });
    setNotice(`Phase ${phase} filled in below: review the changes, then save.`);
  };
  return (
    // Not a <form>: the breaker's and the confirmation's dialogs inside have forms of their own.
    <div className="settings-form">
      <div className="settings-grid">
        <section className="card" aria-labelledby={`${baseId}-title`}>
          <h2 id={`${baseId}-title`}>Engine</h2>
          <fieldset className="switches">
            <legend>Switches</legend>
            {check("enabled", "Auto-execution enabled", "The global switch: off, nothing is executed.")}
            {check(
              "dryRun",
              "Dry run",
              "Run handlers and roll their changes back; the log shows what would have happened.",
            )}
          </fieldset>
          {GROUPS.map((group) => (
            <fieldset key={group.legend}>
              <legend>{group.legend}</legend>
              <div className="fields">{group.fields.map(input)}</div>
            </fieldset>
          ))}
          <p className="muted">
            Last changed <Time value={props.settings.updatedAt} />.
          </p>
        </section>
        <div className="side">
          <BreakerCard state={props.breaker} onReset={props.onSaved} />
          <TypeBreakers rows={props.typeBreakers} onReset={props.onSaved} />
          <RolloutCard current={current} onApply={applyPhase} />
        </div>
      </div>
      <ActionTypes rows={props.types} values={types} errors={typeErrors} onChange={setTypes} />
      <div className="card save-bar">
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <p role="status" className="notice">
          {notice}
        </p>
        {dirty ? <p className="unsaved">Unsaved changes: {changes().length}.</p> : null}
        <div className="form-buttons">
          <button
            type="button"
            className="secondary"
            disabled={!dirty}
            onClick={() => {
              setForm(initial);
              setTypes(initialTypes);
              setError(undefined);
              setShowErrors(false);
            }}
          >
            Discard changes
          </button>
          <button
            type="button"
            className="primary"
            disabled={!canChange || !dirty}
            title={canChange ? undefined : READ_ONLY}
            onClick={() => void saveAll()}
          >
            Save changes
          </button>
        </div>
      </div>
      {confirming ? (
        <TextDialog
          title="Confirm these changes"
          description={<ChangeList changes={confirming} />}
          label="Reason"
          required
          confirmLabel="Save changes"
          danger
          onClose={() => setConfirming(undefined)}
          onSubmit={(reason) => submit(reason)}
        />
      ) : null}
    </div>
  );
}

function ChangeList({ changes }: { changes: Change[] }) {
  return (
    <>
      <p>These changes are saved together; the reason is kept in the audit trail.</p>
      <table className="diff">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Now</th>
            <th scope="col">After saving</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.label} className={change.risky ? "risky" : undefined}>
              <th scope="row">{change.label}</th>
              <td>{change.before}</td>
              <td>
                {change.after}
                {change.risky ? <span className="risky"> ({change.risky})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function BreakerCard(props: { state: EngineState; onReset(): void }) {
  const { canChange } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [, reset] = useMutation(RESET_BREAKER);
  const [, clearCooldown] = useMutation(CLEAR_COOLDOWN);
  const [clearing, setClearing] = useState(false);
  const { state } = props;
  const cooling = state.cooldownUntil !== null && new Date(state.cooldownUntil).getTime() > Date.now();
  return (
    <section
      className="card breaker"
      aria-labelledby="breaker-title"
      data-breaker={state.breakerOpen ? "open" : "closed"}
    >
      <h2 id="breaker-title">Circuit breaker</h2>
      <p className={`breaker-state ${state.breakerOpen ? "open" : "closed"}`}>
        {state.breakerOpen ? "Open: auto-execution is paused" : "Closed: executions may run"}
      </p>
      <dl className="facts">
        {state.breakerOpen ? (
          <>
            <dt>Opened</dt>
            <dd>
              <Time value={state.breakerOpenedAt} />
            </dd>
            <dt>Reason</dt>
            <dd>{state.breakerReason ?? "—"}</dd>
          </>
        ) : null}
        <dt>Failures in a row</dt>
        <dd>{state.consecutiveFailures}</dd>
        <dt>Cooldown</dt>
        <dd>
          {cooling ? (
            <>
              until <Time value={state.cooldownUntil} />
            </>
          ) : (
            "none"
          )}
        </dd>
        <dt>Last reset</dt>
        <dd>
          {state.breakerResetAt
            ? [
                <Time key="at" value={state.breakerResetAt} />,
                ` by ${state.breakerResetBy}: ${state.breakerResetReason ?? ""}`,
              ]
            : "never"}
        </dd>
      </dl>
      <p role="status" className="notice">
        {notice}
      </p>
      <button
        type="button"
        className="danger"
        disabled={!canChange || !state.breakerOpen}
        title={canChange ? (state.breakerOpen ? undefined : "The breaker is closed") : READ_ONLY}
        onClick={() => setConfirming(true)}
      >
        Reset circuit breaker
      </button>{" "}
      <button
        type="button"
        className="secondary"
        disabled={!canChange || !cooling}
        title={canChange ? (cooling ? undefined : "No cooldown is running") : READ_ONLY}
        onClick={() => setClearing(true)}
      >
        End cooldown now
      </button>
      {clearing ? (
        <TextDialog
          title="End the cooldown now?"
          description={<p>Waiting actions resume at once. The reason goes into the audit trail.</p>}
          label="Reason"
          required
          confirmLabel="End cooldown"
          onClose={() => setClearing(false)}
          onSubmit={async (reason) => {
            const result = await clearCooldown({ reason });
            if (result.error) return errorText(result.error);
            setNotice("Cooldown ended.");
            props.onReset();
            return undefined;
          }}
        />
      ) : null}
      {confirming ? (
        <TextDialog
          title="Reset the circuit breaker?"
          description={
            <p>
              Auto-execution resumes at once and waiting actions are re-queued. Reset only once the cause of
              the failures is understood.
            </p>
          }
          label="Reason"
          required
          confirmLabel="Reset breaker"
          danger
          onClose={() => setConfirming(false)}
          onSubmit={async (reason) => {
            const result = await reset({ reason });
            if (result.error) return errorText(result.error);
            setNotice("Circuit breaker reset.");
            props.onReset();
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}

function RolloutCard(props: { current: number | null; onApply(phase: number): void }) {
  const { canChange } = useSession();
  const [phase, setPhase] = useState(String(props.current ?? 1));
  const id = useId();
  useEffect(() => {
    if (props.current !== null) setPhase(String(props.current));
  }, [props.current]);
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-phase={props.current ?? "none"}>
      <h2 id={`${id}-title`}>Rollout plan</h2>
      <p className="phase-actual">
        {props.current === null
          ? "Now: no phase of the plan — the switches and types were set by hand."
          : `Now: ${PHASES[String(props.current)]}`}
      </p>
      <div className="field">
        <label htmlFor={id}>Phase</label>
        <select
          id={id}
          value={phase}
          onChange={(event) => setPhase(event.target.value)}
          disabled={!canChange}
        >
          <option value="1">1 – Dry run</option>
          <option value="2">2 – Limited auto-execution</option>
          <option value="3">3 – Expanded auto-execution</option>
        </select>
        <span className="help">{PHASES[phase]}</span>
      </div>
      <button
        type="button"
        className="secondary"
        disabled={!canChange || Number(phase) === props.current}
        title={canChange ? undefined : READ_ONLY}
        onClick={() => props.onApply(Number(phase))}
      >
        Fill in phase {phase}
      </button>
      <p className="help">Fills the switches and the action types below; nothing changes until you save.</p>
    </section>
  );
}

function ActionTypes(props: {
  rows: ActionTypeRow[];
  values: TypeValues;
  errors: Record<string, string | undefined>;
  onChange(values: TypeValues): void;
}) {
  const { canChange } = useSession();
  const id = useId();
  return (
    <section className="card" aria-labelledby="types-title">
      <h2 id="types-title">Action types</h2>
      <p className="muted">
        Staged rollout per type: <strong>disabled</strong> never runs, <strong>dry run</strong> runs and rolls
        back, <strong>live</strong> runs for real (the global switches apply on top). The daily cap limits
        live executions per rolling 24 hours; empty means no cap. Tier 3 types are always disabled. Saved with
        the rest of the page.
      </p>
      <div className="table-wrap">
        <table className="responsive types">
          <caption className="visually-hidden">Action types with their mode and daily cap</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Tier</th>
              <th scope="col">Mode</th>
              <th scope="col">Daily cap</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => {
              const value = props.values[row.type] ?? { mode: row.mode, cap: "" };
              const fixed = row.tier === 3;
              const problem = props.errors[row.type];
              const change = (next: Partial<typeof value>) =>
                props.onChange({ ...props.values, [row.type]: { ...value, ...next } });
              return (
                <tr key={row.type} data-type={row.type}>
                  <td data-label="Type">
                    <span className="type">{row.type}</span>
                    <div className="muted">{row.description}</div>
                  </td>
                  <td data-label="Tier">
                    <TierBadge tier={row.tier} />
                  </td>
                  <td data-label="Mode">
                    <label htmlFor={`${id}-${row.type}-mode`} className="visually-hidden">
                      Mode of {row.type}
                    </label>
                    <select
                      id={`${id}-${row.type}-mode`}
                      value={value.mode}
                      onChange={(event) => change({ mode: event.target.value })}
                      disabled={!canChange || fixed}
                    >
                      <option value="disabled">disabled</option>
                      <option value="dry_run">dry run</option>
                      <option value="live">live</option>
                    </select>
                  </td>
                  <td data-label="Daily cap">
                    <label htmlFor={`${id}-${row.type}-cap`} className="visually-hidden">
                      Daily cap of {row.type}
                    </label>
                    <input
                      id={`${id}-${row.type}-cap`}
                      type="text"
                      inputMode="numeric"
                      placeholder="no cap"
                      value={value.cap}
                      onChange={(event) => change({ cap: event.target.value })}
                      disabled={!canChange || fixed}
                      aria-invalid={problem ? true : undefined}
                      aria-describedby={problem ? `${id}-${row.type}-cap-error` : undefined}
                    />
                    {problem ? (
                      <span id={`${id}-${row.type}-cap-error`} className="field-error">
                        {problem}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
