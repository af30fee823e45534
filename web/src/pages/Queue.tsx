import { useId, useState } from "react";
import { useMutation, useQuery } from "urql";
import { ActionSubjectCell } from "../components/ActionSubject.tsx";
import { StatusBadge, TierBadge } from "../components/Badges.tsx";
import { TextDialog } from "../components/Dialog.tsx";
import { ExpiringSoon } from "../components/ExpiringSoon.tsx";
import { LoadError } from "../components/LoadError.tsx";
import { Pager } from "../components/Pager.tsx";
import { formatAge, formatMoney, formatPercent, formatTime, formatTimeWithZone } from "../format.ts";
import { errorText, usePolledQuery } from "../hooks.ts";
import {
  ACTION_TYPES,
  type ActionRow,
  type ActionTypeRow,
  APPROVE,
  APPROVE_MANY,
  type Connection,
  type LineForecast,
  MARK_IMPLEMENTED,
  QUEUE,
  REJECT,
  WAITING_LINE,
} from "../queries.ts";
import { READ_ONLY, useSession } from "../session.tsx";

export const STATUSES = [
  "PENDING",
  "APPROVED",
  "EXECUTED",
  "FAILED",
  "ROLLED_BACK",
  "REJECTED",
  "INVALID",
  "EXPIRED",
  "IMPLEMENTED",
];
const PAGE_SIZE = 25;

export type Pending =
  | { kind: "approve"; action: ActionRow }
  | { kind: "reject"; action: ActionRow }
  | { kind: "implement"; action: ActionRow }
  | { kind: "bulk"; ids: string[] };

/** Why an action waits, and until when: what an admin needs to see in the queue. */
export function WaitingReason({
  action,
}: {
  action: Pick<ActionRow, "statusReason" | "deferredUntil"> & { forecast?: string | null };
}) {
  if (!action.statusReason && !action.deferredUntil) return null;
  return (
    <div className="reason">
      {action.statusReason}
      {action.forecast ? <div className="forecast">{action.forecast}</div> : null}
      {action.deferredUntil ? (
        <>
          {" "}
          <span className="until">
            (next try {formatTime(action.deferredUntil)}, {formatAge(action.deferredUntil)})
          </span>
        </>
      ) : null}
    </div>
  );
}

/** The line for rate-limit slots as a whole: how long it is, what runs today, when it drains. */
function LineSummary() {
  const [{ data }] = usePolledQuery<{ waitingLineForecast: LineForecast | null }>(
    { query: WAITING_LINE },
    5000,
  );
  const line = data?.waitingLineForecast;
  if (!line || line.waiting === 0) return null;
  const limits = `${line.hourlyLimit} per rolling hour, ${line.dailyLimit} per rolling 24 hours`;
  return (
    <p className="line-summary" data-testid="line-summary">
      {line.waiting} {line.waiting === 1 ? "action waits" : "actions wait"} in line for a rate-limit slot (
      {limits}; the most valuable run first).{" "}
      {line.heldBy
        ? `Nothing runs now: ${line.heldBy}.`
        : `Next slot ${formatTimeWithZone(line.nextSlotAt)}; ${line.runsToday} will run today (UTC); at the current limits the line drains around ${line.drainsAtText}.`}
    </p>
  );
}

export function QueuePage() {
  const { canChange } = useSession();
  const [status, setStatus] = useState("");
  const [tier, setTier] = useState("");
  const [type, setType] = useState("");
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string>();
  const ids = { status: useId(), tier: useId(), type: useId() };

  const condition = {
    ...(status ? { status } : {}),
    ...(tier ? { executionTier: Number(tier) } : {}),
    ...(type ? { type } : {}),
  };
  const [{ data, error, fetching }, refresh] = usePolledQuery<{ allActions: Connection<ActionRow> }>(
    { query: QUEUE, variables: { condition, first: PAGE_SIZE, offset } },
    2000,
  );
  const [types] = useQuery<{ allActionTypes: { nodes: ActionTypeRow[] } }>({ query: ACTION_TYPES });

  const setFilter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setOffset(0);
    setSelected(new Set());
  };
  const rows = data?.allActions.nodes ?? [];
  const selectable = rows.filter((row) => row.status === "PENDING");
  const allSelected = selectable.length > 0 && selectable.every((row) => selected.has(row.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const decisions = useDecisions((message) => {
    setNotice(message);
    setSelected(new Set());
    refresh();
  });
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Action queue</h1>
      <p className="lead">
        What the monetization agent proposed. <TierBadge tier={1} /> executes automatically under the
        guardrails, <TierBadge tier={2} /> executes once approved, <TierBadge tier={3} /> is implemented by
        hand.
      </p>
      <form className="filters" aria-label="Filter actions" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select
            id={ids.status}
            value={status}
            onChange={(event) => setFilter(setStatus)(event.target.value)}
          >
            <option value="">All statuses</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value.replace("_", " ").toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.tier}>Tier</label>
          <select id={ids.tier} value={tier} onChange={(event) => setFilter(setTier)(event.target.value)}>
            <option value="">All tiers</option>
            <option value="1">Tier 1 – Auto</option>
            <option value="2">Tier 2 – On Approval</option>
            <option value="3">Tier 3 – Manual</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={type} onChange={(event) => setFilter(setType)(event.target.value)}>
            <option value="">All types</option>
            {types.data?.allActionTypes.nodes.map((row) => (
              <option key={row.type} value={row.type}>
                {row.type}
              </option>
            ))}
          </select>
        </div>
        <div className="field bulk">
          <button
            type="button"
            className="primary"
            disabled={!canChange || selected.size === 0}
            title={canChange ? undefined : READ_ONLY}
            onClick={() => decisions.open({ kind: "bulk", ids: [...selected] })}
          >
            Approve selected ({selected.size})
          </button>
        </div>
      </form>
      <LineSummary />
      <p role="status" className="notice">
        {notice}
      </p>
      <ExpiringSoon />
      <LoadError what="the queue" error={error} />
      <div className="table-wrap">
        <table className="responsive queue">
          <caption className="visually-hidden">Actions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every pending action on this page"
                  checked={allSelected}
                  disabled={!canChange || selectable.length === 0}
                  onChange={() =>
                    setSelected(allSelected ? new Set() : new Set(selectable.map((row) => row.id)))
                  }
                />
              </th>
              <th scope="col">Action</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Confidence</th>
              <th scope="col">Est. impact</th>
              <th scope="col">Age</th>
              <th scope="col">Decide</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((action) => (
              <tr key={action.id} data-action-id={action.id} data-status={action.status}>
                <td data-label="Select">
                  {action.status === "PENDING" ? (
                    <input
                      type="checkbox"
                      aria-label={`Select action ${action.id}`}
                      checked={selected.has(action.id)}
                      disabled={!canChange}
                      onChange={() => toggle(action.id)}
                    />
                  ) : null}
                </td>
                <td data-label="Action">
                  <ActionSubjectCell action={action} />
                </td>
                <td data-label="Tier">
                  <TierBadge tier={action.executionTier} />
                </td>
                <td data-label="Status" className="status-cell">
                  <StatusBadge status={action.status} />
                  <WaitingReason action={action} />
                </td>
                <td data-label="Confidence">{formatPercent(action.confidence, 0)}</td>
                <td data-label="Est. impact">{formatMoney(action.estimatedRevenueImpact)}</td>
                <td data-label="Age">
                  <time dateTime={action.createdAt} title={formatTime(action.createdAt)}>
                    {formatAge(action.createdAt)}
                  </time>
                </td>
                <td data-label="Decide" className="buttons">
                  <RowButtons action={action} canChange={canChange} onPick={decisions.open} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!rows.length && !fetching ? <p className="empty">No actions match these filters.</p> : null}
      </div>
      <Pager
        label="Actions"
        offset={offset}
        pageSize={PAGE_SIZE}
        shown={rows.length}
        total={data?.allActions.totalCount ?? 0}
        onChange={setOffset}
      />
      {decisions.dialog}
    </section>
  );
}

export function RowButtons(props: { action: ActionRow; canChange: boolean; onPick(pending: Pending): void }) {
  const { action, canChange, onPick } = props;
  const open = action.status === "PENDING" || action.status === "APPROVED";
  const title = canChange ? undefined : READ_ONLY;
  return (
    <>
      {action.status === "PENDING" ? (
        <button
          type="button"
          className="primary small"
          disabled={!canChange}
          title={title}
          aria-label={`Approve action ${action.id}`}
          onClick={() => onPick({ kind: "approve", action })}
        >
          Approve
        </button>
      ) : null}
      {open ? (
        <button
          type="button"
          className="secondary small"
          disabled={!canChange}
          title={title}
          aria-label={`Reject action ${action.id}`}
          onClick={() => onPick({ kind: "reject", action })}
        >
          Reject
        </button>
      ) : null}
      {open && action.executionTier === 3 ? (
        <button
          type="button"
          className="secondary small"
          disabled={!canChange}
          title={title}
          aria-label={`Mark action ${action.id} implemented`}
          onClick={() => onPick({ kind: "implement", action })}
        >
          Mark implemented
        </button>
      ) : null}
    </>
  );
}

function dialogText(pending: Pending) {
  switch (pending.kind) {
    case "approve":
      return {
        title: `Approve action ${pending.action.id}`,
        description:
          pending.action.executionTier === 3
            ? "Tier 3: approving records the decision; the engine never executes it. Implement it by hand, then mark it implemented."
            : `${pending.action.type} will execute automatically as soon as the guardrails allow.`,
        label: "Note",
        confirmLabel: "Approve",
      };
    case "reject":
      return {
        title: `Reject action ${pending.action.id}`,
        description: `${pending.action.type} will not be executed.`,
        label: "Reason",
        required: true,
        confirmLabel: "Reject",
        danger: true,
      };
    case "implement":
      return {
        title: `Mark action ${pending.action.id} implemented`,
        description: "Records that you carried out this Tier 3 action by hand.",
        label: "What was done",
        required: true,
        confirmLabel: "Mark implemented",
      };
    case "bulk":
      return {
        title: `Approve ${pending.ids.length} actions`,
        description: `Actions ${pending.ids.map((id) => `#${id}`).join(", ")}: all are approved, or none if one cannot be.`,
        label: "Note",
        confirmLabel: `Approve ${pending.ids.length}`,
      };
  }
}

/** Approve / reject / mark implemented / approve many: the dialog and the mutation behind it. */
export function useDecisions(onDone: (message: string) => void) {
  const [pending, setPending] = useState<Pending>();
  const [, approve] = useMutation(APPROVE);
  const [, approveMany] = useMutation(APPROVE_MANY);
  const [, reject] = useMutation(REJECT);
  const [, markImplemented] = useMutation(MARK_IMPLEMENTED);
  const done = (message: string) => {
    onDone(message);
    return undefined;
  };
  const submit = async (text: string): Promise<string | undefined> => {
    if (!pending) return undefined;
    const note = text || null;
    switch (pending.kind) {
      case "approve": {
        const result = await approve({ id: pending.action.id, note });
        return errorText(result.error) ?? done(`Action ${pending.action.id} approved.`);
      }
      case "reject": {
        const result = await reject({ id: pending.action.id, reason: text });
        return errorText(result.error) ?? done(`Action ${pending.action.id} rejected.`);
      }
      case "implement": {
        const result = await markImplemented({ id: pending.action.id, note: text });
        return errorText(result.error) ?? done(`Action ${pending.action.id} marked implemented.`);
      }
      case "bulk": {
        const result = await approveMany({ ids: pending.ids, note });
        return errorText(result.error) ?? done(`${pending.ids.length} actions approved.`);
      }
    }
  };
  return {
    open: setPending as (pending: Pending) => void,
    dialog: pending ? (
      <TextDialog {...dialogText(pending)} onSubmit={submit} onClose={() => setPending(undefined)} />
    ) : null,
  };
}
