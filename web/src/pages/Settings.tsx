import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { TierBadge } from "../components/Badges.tsx";
import { Dialog, TextDialog } from "../components/Dialog.tsx";
import { FreezeWindows } from "../components/FreezeWindows.tsx";
import { LoadError } from "../components/LoadError.tsx";
import { Pager } from "../components/Pager.tsx";
import { formatTime, intervalSeconds } from "../format.ts";
import { errorText, usePolledQuery } from "../hooks.ts";
import {
  type ActionTypeRow,
  APPLY_PHASE,
  AUDIT,
  type AuditEvent,
  CLEAR_COOLDOWN,
  type Connection,
  type EngineState,
  RESET_BREAKER,
  SET_TYPE_MODE,
  SETTINGS_PAGE,
  type Settings,
  UPDATE_SETTINGS,
} from "../queries.ts";
import { READ_ONLY, useSession } from "../session.tsx";

type Kind = "int" | "decimal" | "percent" | "text" | "seconds" | "minutes" | "hours" | "days";
interface Field {
  key: keyof Settings;
  label: string;
  help: string;
  kind: Kind;
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
      { key: "rateLimitKeyWindow", label: "Rate-limit key window (hours)", help: "", kind: "hours" },
      {
        key: "confidentMinConfidence",
        label: "Confident allowance: from confidence",
        help: "Actions at or above this confidence count against their own limits below (rollout phase 3 sets 0.9; empty: none).",
        kind: "decimal",
      },
      { key: "confidentHourlyLimit", label: "Confident allowance per hour", help: "", kind: "int" },
      { key: "confidentDailyLimit", label: "Confident allowance per 24 hours", help: "", kind: "int" },
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
      },
    ],
  },
];
const FIELDS = GROUPS.flatMap((group) => group.fields);

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

/** The changed fields as updateSettings input; an error for a value that is not a number. */
function toInput(form: FormValues, initial: FormValues): { input: Record<string, unknown>; error?: string } {
  const input: Record<string, unknown> = {};
  if (form.enabled !== initial.enabled) input.enabled = form.enabled === "true";
  if (form.dryRun !== initial.dryRun) input.dryRun = form.dryRun === "true";
  for (const field of FIELDS) {
    const raw = (form[field.key] ?? "").trim();
    if (raw === (initial[field.key] ?? "")) continue;
    if (field.kind === "text") {
      input[field.key] = raw;
      continue;
    }
    const number = Number(raw);
    if (raw === "" || !Number.isFinite(number)) return { input, error: `${field.label}: enter a number.` };
    if (field.kind === "int") {
      if (!Number.isInteger(number)) return { input, error: `${field.label}: enter a whole number.` };
      input[field.key] = number;
    } else if (field.kind === "decimal") input[field.key] = raw;
    else if (field.kind === "percent") input[field.key] = String(number / 100);
    else input[field.key] = { seconds: Math.round(number * (UNIT_SECONDS[field.kind] ?? 1)) };
  }
  return { input };
}

interface PageData {
  currentSettings: Settings;
  circuitBreaker: EngineState;
  allActionTypes: { nodes: ActionTypeRow[] };
}

export function SettingsPage() {
  const [{ data, error }, refresh] = usePolledQuery<PageData>({ query: SETTINGS_PAGE }, 3000);
  const [auditVersion, setAuditVersion] = useState(0);
  const changed = () => {
    refresh();
    setAuditVersion((version) => version + 1);
  };
  if (error) return <LoadError what="the settings" error={error} />;
  if (!data) return <p>Loading settings…</p>;
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <div className="settings-grid">
        <SettingsForm settings={data.currentSettings} onSaved={changed} />
        <div className="side">
          <BreakerCard state={data.circuitBreaker} onReset={changed} />
          <RolloutCard onApplied={changed} />
          <FreezeWindows onChanged={changed} />
        </div>
      </div>
      <ActionTypes types={data.allActionTypes.nodes} onSaved={changed} />
      <AuditList version={auditVersion} />
    </section>
  );
}

function SettingsForm(props: { settings: Settings; onSaved(): void }) {
  const { canChange } = useSession();
  const [initial, setInitial] = useState(() => toForm(props.settings));
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [, update] = useMutation(UPDATE_SETTINGS);
  const baseId = useId();
  const dirty = JSON.stringify(form) !== JSON.stringify(initial);
  // Someone else (or another tab) changed the settings: follow, keeping this form's unsaved edits.
  const serverKey = JSON.stringify(toForm(props.settings));
  const latest = useRef({ initial, dirty });
  latest.current = { initial, dirty };
  useEffect(() => {
    if (JSON.stringify(latest.current.initial) === serverKey) return;
    const next = JSON.parse(serverKey) as FormValues;
    if (!latest.current.dirty) setForm(next);
    setInitial(next);
  }, [serverKey]);
  const set = (key: string, value: string) => setForm({ ...form, [key]: value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { input, error: invalid } = toInput(form, initial);
    if (invalid) {
      setError(invalid);
      return;
    }
    if (!Object.keys(input).length) return;
    const result = await update({ input });
    if (result.error) {
      setError(errorText(result.error));
      return;
    }
    setError(undefined);
    const saved = result.data?.updateSettings?.result as Settings | undefined;
    if (saved) {
      const next = toForm(saved);
      setInitial(next);
      setForm(next);
    }
    setNotice(`Saved ${Object.keys(input).length} change${Object.keys(input).length > 1 ? "s" : ""}.`);
    props.onSaved();
  };
  const input = (field: Field) => {
    const id = `${baseId}-${field.key}`;
    const helpId = `${id}-help`;
    return (
      <div className="field" key={field.key}>
        <label htmlFor={id}>{field.label}</label>
        <input
          id={id}
          name={field.key}
          type={field.kind === "text" ? "url" : "number"}
          inputMode={field.kind === "int" ? "numeric" : field.kind === "text" ? "url" : "decimal"}
          step={field.kind === "int" ? 1 : "any"}
          min={field.kind === "text" ? undefined : 0}
          value={form[field.key] ?? ""}
          onChange={(event) => set(field.key, event.target.value)}
          disabled={!canChange}
          aria-describedby={field.help ? helpId : undefined}
        />
        {field.help ? (
          <span id={helpId} className="help">
            {field.help}
          </span>
        ) : null}
      </div>
    );
  };
  return (
    <form className="card settings-form" onSubmit={submit} aria-labelledby={`${baseId}-title`}>
      <h2 id={`${baseId}-title`}>Engine</h2>
      <fieldset className="switches">
        <legend>Switches</legend>
        <div className="check">
          <input
            id={`${baseId}-enabled`}
            type="checkbox"
            checked={form.enabled === "true"}
            onChange={(event) => set("enabled", String(event.target.checked))}
            disabled={!canChange}
            aria-describedby={`${baseId}-enabled-help`}
          />
          <label htmlFor={`${baseId}-enabled`}>Auto-execution enabled</label>
          <span id={`${baseId}-enabled-help`} className="help">
            The global switch: off, nothing is executed.
          </span>
        </div>
        <div className="check">
          <input
            id={`${baseId}-dryRun`}
            type="checkbox"
            checked={form.dryRun === "true"}
            onChange={(event) => set("dryRun", String(event.target.checked))}
            disabled={!canChange}
            aria-describedby={`${baseId}-dryRun-help`}
          />
          <label htmlFor={`${baseId}-dryRun`}>Dry run</label>
          <span id={`${baseId}-dryRun-help`} className="help">
            Run handlers and roll their changes back; the log shows what would have happened.
          </span>
        </div>
      </fieldset>
      {GROUPS.map((group) => (
        <fieldset key={group.legend}>
          <legend>{group.legend}</legend>
          <div className="fields">{group.fields.map(input)}</div>
        </fieldset>
      ))}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <p role="status" className="notice">
        {notice}
      </p>
      <div className="form-buttons">
        <button
          type="button"
          className="secondary"
          disabled={!dirty}
          onClick={() => {
            setForm(initial);
            setError(undefined);
          }}
        >
          Discard changes
        </button>
        <button
          type="submit"
          className="primary"
          disabled={!canChange || !dirty}
          title={canChange ? undefined : READ_ONLY}
        >
          Save changes
        </button>
      </div>
      <p className="muted">Last changed {formatTime(props.settings.updatedAt)}.</p>
    </form>
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
            <dd>{formatTime(state.breakerOpenedAt)}</dd>
            <dt>Reason</dt>
            <dd>{state.breakerReason ?? "—"}</dd>
          </>
        ) : null}
        <dt>Failures in a row</dt>
        <dd>{state.consecutiveFailures}</dd>
        <dt>Cooldown</dt>
        <dd>{cooling ? `until ${formatTime(state.cooldownUntil)}` : "none"}</dd>
        <dt>Last reset</dt>
        <dd>
          {state.breakerResetAt
            ? `${formatTime(state.breakerResetAt)} by ${state.breakerResetBy}: ${state.breakerResetReason ?? ""}`
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

const PHASES: Record<string, string> = {
  "1": "Phase 1, dry run: engine on, every type dry-runs.",
  "2": "Phase 2, limited: ADD_AFFILIATE_LINK live with at most 5 a day; the other types dry-run.",
  "3": "Phase 3, expanded: every Tier 1 and Tier 2 type live, no per-type caps.",
};

function RolloutCard(props: { onApplied(): void }) {
  const { canChange } = useSession();
  const [phase, setPhase] = useState("1");
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [, apply] = useMutation(APPLY_PHASE);
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Rollout plan</h2>
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
      <p role="status" className="notice">
        {notice}
      </p>
      <button
        type="button"
        className="secondary"
        disabled={!canChange}
        title={canChange ? undefined : READ_ONLY}
        onClick={() => setConfirming(true)}
      >
        Apply phase {phase}
      </button>
      {confirming ? (
        <Dialog title={`Apply rollout phase ${phase}?`} onClose={() => setConfirming(false)}>
          <p>{PHASES[phase]} This changes the global switches and every type's mode.</p>
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="dialog-buttons">
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={async () => {
                const result = await apply({ phase: Number(phase) });
                if (result.error) {
                  setError(errorText(result.error));
                  return;
                }
                setConfirming(false);
                setNotice(`Rollout phase ${phase} applied.`);
                props.onApplied();
              }}
            >
              Apply phase {phase}
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}

function ActionTypes(props: { types: ActionTypeRow[]; onSaved(): void }) {
  return (
    <section className="card" aria-labelledby="types-title">
      <h2 id="types-title">Action types</h2>
      <p className="muted">
        Staged rollout per type: <strong>disabled</strong> never runs, <strong>dry run</strong> runs and rolls
        back, <strong>live</strong> runs for real (the global switches apply on top). The daily cap limits
        live executions per rolling 24 hours; empty means no cap. Tier 3 types are always disabled.
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
              <th scope="col">
                <span className="visually-hidden">Save</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.types.map((row) => (
              <TypeRow key={`${row.type}-${row.mode}-${row.dailyCap}`} row={row} onSaved={props.onSaved} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TypeRow(props: { row: ActionTypeRow; onSaved(): void }) {
  const { canChange } = useSession();
  const { row } = props;
  const [mode, setMode] = useState(row.mode);
  const [cap, setCap] = useState(row.dailyCap === null ? "" : String(row.dailyCap));
  const [error, setError] = useState<string>();
  const [, save] = useMutation(SET_TYPE_MODE);
  const id = useId();
  const fixed = row.tier === 3;
  const dirty = mode !== row.mode || cap !== (row.dailyCap === null ? "" : String(row.dailyCap));
  const submit = async () => {
    const dailyCap = cap.trim() === "" ? null : Number(cap);
    if (dailyCap !== null && (!Number.isInteger(dailyCap) || dailyCap < 0)) {
      setError("The daily cap is a whole number, 0 or more, or empty for none.");
      return;
    }
    // An empty field removes the cap; leaving dailyCap out would keep it.
    const result = await save({ type: row.type, mode, dailyCap, removeDailyCap: dailyCap === null });
    if (result.error) {
      setError(errorText(result.error));
      return;
    }
    setError(undefined);
    props.onSaved();
  };
  return (
    <tr data-type={row.type}>
      <td data-label="Type">
        <span className="type">{row.type}</span>
        <div className="muted">{row.description}</div>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
      <td data-label="Tier">
        <TierBadge tier={row.tier} />
      </td>
      <td data-label="Mode">
        <label htmlFor={`${id}-mode`} className="visually-hidden">
          Mode of {row.type}
        </label>
        <select
          id={`${id}-mode`}
          value={mode}
          onChange={(event) => setMode(event.target.value)}
          disabled={!canChange || fixed}
        >
          <option value="disabled">disabled</option>
          <option value="dry_run">dry run</option>
          <option value="live">live</option>
        </select>
      </td>
      <td data-label="Daily cap">
        <label htmlFor={`${id}-cap`} className="visually-hidden">
          Daily cap of {row.type}
        </label>
        <input
          id={`${id}-cap`}
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          placeholder="no cap"
          value={cap}
          onChange={(event) => setCap(event.target.value)}
          disabled={!canChange || fixed}
        />
      </td>
      <td data-label="Save">
        <button
          type="button"
          className="secondary small"
          disabled={!canChange || fixed || !dirty}
          title={canChange ? undefined : READ_ONLY}
          aria-label={`Save ${row.type}`}
          onClick={() => void submit()}
        >
          Save
        </button>
      </td>
    </tr>
  );
}

const AUDIT_PAGE = 15;

const shorten = (text: string, limit = 140) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);

function describeChange(event: AuditEvent): string {
  const keys = Object.keys(event.newValues ?? event.oldValues ?? {});
  return keys
    .map((key) => {
      const before = shorten(JSON.stringify(event.oldValues?.[key] ?? null));
      const after = shorten(JSON.stringify(event.newValues?.[key] ?? null));
      return `${key}: ${before} → ${after}`;
    })
    .join("; ");
}

function AuditList({ version }: { version: number }) {
  const [offset, setOffset] = useState(0);
  const [{ data, error }, refresh] = usePolledQuery<{ allAuditEvents: Connection<AuditEvent> }>(
    { query: AUDIT, variables: { first: AUDIT_PAGE, offset } },
    3000,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` bumps when this page changed something
  useEffect(() => refresh(), [version, refresh]);
  const events = data?.allAuditEvents.nodes ?? [];
  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      <LoadError what="the audit trail" error={error} />
      <div className="table-wrap">
        <table className="responsive audit">
          <caption className="visually-hidden">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id} data-audit-action={event.action}>
                <td data-label="When">
                  <time dateTime={event.occurredAt}>{formatTime(event.occurredAt)}</time>
                </td>
                <td data-label="Who">{event.actor}</td>
                <td data-label="What">
                  {event.action}
                  {event.subjectId ? <span className="muted"> {event.subjectId}</span> : null}
                </td>
                <td data-label="Change" className="change">
                  {describeChange(event) || "—"}
                </td>
                <td data-label="Note">{event.note ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        label="Audit events"
        offset={offset}
        pageSize={AUDIT_PAGE}
        shown={events.length}
        total={data?.allAuditEvents.totalCount ?? 0}
        onChange={setOffset}
      />
    </section>
  );
}
