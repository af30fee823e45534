import { useEffect, useId, useState } from "react";
import { nodesOf } from "../graphql.ts";
import { showsPreviousAnswer, usePolledQuery } from "../hooks.ts";
import { AUDIT_TRAIL, type AuditEvent } from "../queries.ts";
import { LoadState } from "./LoadState.tsx";
import { Pager } from "./Pager.tsx";
import { Time } from "./Time.tsx";

/** The kinds of decision the audit trail records (autoexec_private.audit callers). */
export const AUDIT_KINDS = [
  "action.approved",
  "action.rejected",
  "action.retried",
  "action.implemented",
  "action.force_executed",
  "actions.approved",
  "actions.rejected",
  "actions.retried",
  "execution.rolled_back",
  "settings.updated",
  "action_type.updated",
  "breaker.opened",
  "breaker.reset",
];

const shorten = (text: string, limit = 140) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);

/** An event's old and new values (JSON objects, column → value) as "column: before → after; …". */
function describeChange(event: AuditEvent): string {
  const oldValues = event.oldValues as Record<string, unknown> | null;
  const newValues = event.newValues as Record<string, unknown> | null;
  const keys = Object.keys(newValues ?? oldValues ?? {});
  return keys
    .map((key) => {
      const before = shorten(JSON.stringify(oldValues?.[key] ?? null));
      const after = shorten(JSON.stringify(newValues?.[key] ?? null));
      return `${key}: ${before} → ${after}`;
    })
    .join("; ");
}

/** A date field's value ("2026-12-01") as the start of that UTC day, `plusDays` later. */
function dayStart(value: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [year, month, day] = value.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + plusDays)).toISOString();
}

/** Who decided what and when, filtered by actor, kind and date (both ends inclusive, UTC days). */
export function AuditTrail(props: { version?: number; pageSize?: number; heading?: "h1" | "h2" }) {
  const pageSize = props.pageSize ?? 15;
  const [actor, setActor] = useState("");
  const [kind, setKind] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [offset, setOffset] = useState(0);
  const ids = { actor: useId(), kind: useId(), from: useId(), to: useId(), title: useId() };
  const condition = {
    ...(actor.trim() ? { actor: actor.trim() } : {}),
    ...(kind ? { action: kind } : {}),
    ...(dayStart(from) ? { occurredFrom: dayStart(from) } : {}),
    ...(dayStart(to, 1) ? { occurredBefore: dayStart(to, 1) } : {}),
  };
  const variables = { condition, first: pageSize, offset };
  const [result, refresh] = usePolledQuery({ query: AUDIT_TRAIL, variables }, 3000);
  const { data, error, fetching } = result;
  const loadingOther = showsPreviousAnswer(result, variables);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` bumps when the page changed something
  useEffect(() => refresh(), [props.version, refresh]);
  const filter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setOffset(0);
  };
  const events = nodesOf(data?.allAuditEvents);
  const Heading = props.heading ?? "h2";
  const filtered = Object.keys(condition).length > 0;
  return (
    <section className="card" aria-labelledby={ids.title}>
      <Heading id={ids.title}>Audit trail</Heading>
      <form
        className="filters"
        aria-label="Filter the audit trail"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="field">
          <label htmlFor={ids.actor}>Actor</label>
          <input
            id={ids.actor}
            type="search"
            value={actor}
            placeholder="e.g. alice"
            onChange={(event) => filter(setActor)(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.kind}>Kind</label>
          <select id={ids.kind} value={kind} onChange={(event) => filter(setKind)(event.target.value)}>
            <option value="">All kinds</option>
            {AUDIT_KINDS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>From (UTC day)</label>
          <input
            id={ids.from}
            type="date"
            value={from}
            onChange={(event) => filter(setFrom)(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To (UTC day)</label>
          <input id={ids.to} type="date" value={to} onChange={(event) => filter(setTo)(event.target.value)} />
        </div>
      </form>
      <LoadState
        what="the audit trail"
        loaded={!!data}
        error={error}
        empty={!!data && events.length === 0 && !fetching}
        emptyText={filtered ? "No audit events match these filters." : "Nothing audited yet."}
        retry={refresh}
      />
      <div className="table-wrap">
        <table className="responsive audit" aria-busy={loadingOther}>
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
                  <Time value={event.occurredAt} />
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
      {data ? (
        <Pager
          label="Audit events"
          offset={offset}
          pageSize={pageSize}
          shown={events.length}
          total={data.allAuditEvents?.totalCount ?? 0}
          loading={loadingOther}
          onChange={setOffset}
        />
      ) : null}
    </section>
  );
}
