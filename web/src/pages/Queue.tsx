import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { ActionSubjectCell } from "../components/ActionSubject.tsx";
import { StatusBadge, TierBadge } from "../components/Badges.tsx";
import { TextDialog } from "../components/Dialog.tsx";
import { ExpiringSoon } from "../components/ExpiringSoon.tsx";
import { LiveBar } from "../components/LiveBar.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { Pager } from "../components/Pager.tsx";
import { Time, TimeText } from "../components/Time.tsx";
import { formatAge, formatMoney, formatPercent, formatTime } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { errorText, showsPreviousAnswer, usePoll, usePolledQuery } from "../hooks.ts";
import {
  ACTION_TYPES,
  type ActionRow,
  APPROVE,
  type LineForecast,
  MARK_IMPLEMENTED,
  REJECT,
  RETRY,
  WAITING_LINE,
} from "../queries.ts";
import { useQueueKeyboard } from "../queue-keyboard.ts";
import {
  type BulkDecision,
  DECIDE_MANY,
  filterVariables,
  MATCHING_IDS,
  QUEUE_PAGE,
  type QueueCounts,
  type QueueFilters,
  SORTS,
  type Sort,
} from "../queue-queries.ts";
import { setSearchParams, useLocation } from "../router.tsx";
import { READ_ONLY, useSession } from "../session.tsx";
import { ACTION_STATUSES, isManualTier } from "../vocabulary.ts";

const STATUSES: readonly string[] = ACTION_STATUSES;
const PAGE_SIZE = 25;

export type Pending =
  | { kind: "approve"; action: ActionRow }
  | { kind: "reject"; action: ActionRow }
  | { kind: "implement"; action: ActionRow }
  | { kind: "retry"; action: ActionRow }
  | { kind: "bulk"; decision: BulkDecision; ids: string[] };

/** Why an action waits, and until when: what an admin needs to see in the queue. */
export function WaitingReason({
  action,
}: {
  action: Pick<ActionRow, "statusReason" | "deferredUntil"> & { forecast?: string | null };
}) {
  if (!action.statusReason && !action.deferredUntil) return null;
  return (
    <div className="reason">
      <TimeText text={action.statusReason} />
      {action.forecast ? <div className="forecast">{action.forecast}</div> : null}
      {action.deferredUntil ? (
        <>
          {" "}
          <span className="until">
            (next try <Time value={action.deferredUntil} />, {formatAge(action.deferredUntil)})
          </span>
        </>
      ) : null}
    </div>
  );
}

const DEFAULT_FILTERS: QueueFilters = { search: "", status: "", tier: "", type: "", sort: "NEWEST", page: 1 };

function readFilters(search: string): QueueFilters {
  const params = new URLSearchParams(search);
  const sort = params.get("sort")?.toUpperCase() ?? "";
  const page = Number(params.get("page"));
  return {
    search: params.get("q") ?? "",
    status: STATUSES.includes(params.get("status") ?? "") ? (params.get("status") as string) : "",
    tier: ["1", "2", "3"].includes(params.get("tier") ?? "") ? (params.get("tier") as string) : "",
    type: params.get("type") ?? "",
    sort: sort in SORTS ? (sort as Sort) : "NEWEST",
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function writeFilters(filters: QueueFilters, replace: boolean): void {
  const params = new URLSearchParams();
  if (filters.search) params.set("q", filters.search);
  if (filters.status) params.set("status", filters.status);
  if (filters.tier) params.set("tier", filters.tier);
  if (filters.type) params.set("type", filters.type);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort.toLowerCase());
  if (filters.page > 1) params.set("page", String(filters.page));
  setSearchParams(params, replace);
}

/** Rows an admin can decide on in bulk, by status: approve / reject pending ones, retry failed ones. */
const SELECTABLE = new Set(["PENDING", "FAILED"]);

/** The line for rate-limit slots as a whole: how long it is, what runs today, when it drains. */
function LineSummary() {
  const [{ data }] = usePolledQuery({ query: WAITING_LINE }, 5000);
  const line = data?.waitingLineForecast as LineForecast | null | undefined;
  if (!line || line.waiting === 0) return null;
  const limits = `${line.hourlyLimit} per rolling hour, ${line.dailyLimit} per rolling 24 hours`;
  return (
    <p className="line-summary" data-testid="line-summary">
      {line.waiting} {line.waiting === 1 ? "action waits" : "actions wait"} in line for a rate-limit slot (
      {limits}; the most valuable run first).{" "}
      {line.heldBy
        ? `Nothing runs now: ${line.heldBy}.`
        : `Next slot ${formatTime(line.nextSlotAt)}; ${line.runsToday} will run today (UTC); at the current limits the line drains around ${line.drainsAtText}.`}
    </p>
  );
}

export function QueuePage() {
  const { canChange } = useSession();
  const client = useClient();
  const location = useLocation();
  const filters = useMemo(() => readFilters(location.search), [location.search]);
  const [searchText, setSearchText] = useState(filters.search);
  // The list is frozen at the newest action seen (upToId) until the admin asks for the new ones.
  const [upToId, setUpToId] = useState<number | null>(null);
  const [paused, setPaused] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<Date>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [focusedId, setFocusedId] = useState<string>();
  const searchRef = useRef<HTMLInputElement>(null);
  const ids = { search: useId(), status: useId(), tier: useId(), type: useId(), sort: useId() };

  const update = (change: Partial<QueueFilters>, replace = false) => {
    writeFilters({ ...filters, page: 1, ...change }, replace);
    setUpToId(null);
    setSelected(new Set());
    setAllMatching(false);
  };
  // Typing searches after a short pause, without a history entry per keystroke.
  useEffect(() => setSearchText(filters.search), [filters.search]);
  const latestUpdate = useRef(update);
  latestUpdate.current = update;
  useEffect(() => {
    if (searchText === filters.search) return;
    const timer = setTimeout(() => latestUpdate.current({ search: searchText }, true), 250);
    return () => clearTimeout(timer);
  }, [searchText, filters.search]);

  const variables = {
    ...filterVariables(filters, upToId),
    sort: filters.sort,
    size: PAGE_SIZE,
    offset: (filters.page - 1) * PAGE_SIZE,
  };
  const [result, reexecute] = useQuery({
    query: QUEUE_PAGE,
    variables,
    requestPolicy: "cache-and-network",
  });
  const { data, error, fetching } = result;
  const loadingOther = showsPreviousAnswer(result, variables);
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  usePoll(paused ? noop : refresh, 2000);
  const counts = data?.countActions as QueueCounts | null | undefined;
  useEffect(() => {
    if (!data) return;
    setUpdatedAt(new Date());
    const latestId = (data.countActions as QueueCounts | null)?.latestId ?? null;
    if (upToId === null && latestId !== null) setUpToId(Number(latestId));
  }, [data, upToId]);
  const [types] = useQuery({ query: ACTION_TYPES });

  const rows = (data?.searchActionsList ?? []).filter((row) => row !== null);
  const selectable = rows.filter((row) => SELECTABLE.has(row.status));
  const allSelected = selectable.length > 0 && selectable.every((row) => selected.has(row.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
    setAllMatching(false);
  };
  const selectAllMatching = async () => {
    const result = await client
      .query(MATCHING_IDS, filterVariables(filters, upToId), {
        requestPolicy: "network-only",
      })
      .toPromise();
    if (result.error) {
      setNotice(`Could not select them: ${errorText(result.error)}`);
      return;
    }
    setSelected(new Set((result.data?.matchingActionIds ?? []).filter((id) => id !== null)));
    setAllMatching(true);
  };
  const decisions = useDecisions((message) => {
    setNotice(message);
    setSelected(new Set());
    setAllMatching(false);
    refresh();
  });
  const selectedRows = rows.filter((row) => selected.has(row.id));
  // With "all matching", the status filter says what they are; otherwise the rows on this page do.
  const selectedStatuses = allMatching
    ? new Set([filters.status])
    : new Set(selectedRows.map((row) => row.status));
  const onlyStatus = (status: string) =>
    selected.size > 0 && selectedStatuses.size === 1 && selectedStatuses.has(status);
  const bulk = (decision: BulkDecision) => decisions.open({ kind: "bulk", decision, ids: [...selected] });

  const focused = rows.find((row) => row.id === focusedId);
  useQueueKeyboard(
    useMemo(
      () => ({
        move(step: 1 | -1) {
          const index = rows.findIndex((row) => row.id === focusedId);
          const next = rows[index === -1 ? (step === 1 ? 0 : rows.length - 1) : index + step];
          if (!next) return;
          setFocusedId(next.id);
          document.querySelector<HTMLElement>(`tr[data-action-id="${next.id}"]`)?.focus();
        },
        approve() {
          if (canChange && focused?.status === "PENDING")
            decisions.open({ kind: "approve", action: focused });
        },
        reject() {
          if (canChange && focused && ["PENDING", "APPROVED"].includes(focused.status))
            decisions.open({ kind: "reject", action: focused });
        },
        search() {
          searchRef.current?.focus();
        },
      }),
      [rows, focusedId, focused, canChange, decisions.open],
    ),
  );

  const total = counts?.matching ?? 0;
  const totalText = counts?.capped ? `more than ${counts.cap.toLocaleString("en")}` : undefined;
  const canSelectAll =
    canChange &&
    !!counts &&
    !counts.capped &&
    (filters.status === "PENDING" || filters.status === "FAILED") &&
    total > selectable.length;
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Action queue</h1>
      <p className="lead">
        What the monetization agent proposed. <TierBadge tier={1} /> executes automatically under the
        guardrails, <TierBadge tier={2} /> executes once approved, <TierBadge tier={3} /> is implemented by
        hand. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>a</kbd> approve, <kbd>r</kbd> reject, <kbd>/</kbd>{" "}
        search.
      </p>
      <form className="filters" aria-label="Filter actions" onSubmit={(event) => event.preventDefault()}>
        <div className="field search">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            ref={searchRef}
            type="search"
            value={searchText}
            placeholder="#id, mod title or slug, mod:12"
            onChange={(event) => setSearchText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter") update({ search: searchText }, true);
              if (event.key === "Escape") event.currentTarget.blur();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select
            id={ids.status}
            value={filters.status}
            onChange={(event) => update({ status: event.target.value })}
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
          <select
            id={ids.tier}
            value={filters.tier}
            onChange={(event) => update({ tier: event.target.value })}
          >
            <option value="">All tiers</option>
            <option value="1">Tier 1 – Auto</option>
            <option value="2">Tier 2 – On Approval</option>
            <option value="3">Tier 3 – Manual</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select
            id={ids.type}
            value={filters.type}
            onChange={(event) => update({ type: event.target.value })}
          >
            <option value="">All types</option>
            {nodesOf(types.data?.allActionTypes).map((row) => (
              <option key={row.type} value={row.type}>
                {row.type}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.sort}>Sort by</label>
          <select
            id={ids.sort}
            value={filters.sort}
            onChange={(event) => update({ sort: event.target.value as Sort })}
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <LineSummary />
      <LiveBar
        newer={upToId === null ? 0 : (counts?.newer ?? 0)}
        newerCapped={counts?.newerCapped ?? false}
        updatedAt={updatedAt}
        paused={paused}
        onShowNew={() => {
          setUpToId(null);
          writeFilters({ ...filters, page: 1 }, false);
        }}
        onTogglePause={() => setPaused(!paused)}
      />
      <div className="bulk-bar">
        <span>
          {allMatching
            ? `All ${selected.size.toLocaleString("en")} matching selected`
            : `${selected.size} selected`}
        </span>
        {canSelectAll && !allMatching ? (
          <button type="button" className="secondary small" onClick={() => void selectAllMatching()}>
            Select all {total.toLocaleString("en")} matching
          </button>
        ) : null}
        {selected.size > 0 ? (
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              setSelected(new Set());
              setAllMatching(false);
            }}
          >
            Clear selection
          </button>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={!canChange || !onlyStatus("PENDING")}
          title={canChange ? undefined : READ_ONLY}
          onClick={() => bulk("approve")}
        >
          Approve selected ({selected.size})
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!canChange || !onlyStatus("PENDING")}
          title={canChange ? undefined : READ_ONLY}
          onClick={() => bulk("reject")}
        >
          Reject selected ({selected.size})
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!canChange || !onlyStatus("FAILED")}
          title={canChange ? undefined : READ_ONLY}
          onClick={() => bulk("retry")}
        >
          Retry selected ({selected.size})
        </button>
      </div>
      <p role="status" className="notice">
        {notice}
      </p>
      <ExpiringSoon />
      <LoadState
        what="the queue"
        loaded={!!data}
        error={error}
        empty={!!data && rows.length === 0 && !fetching}
        emptyText={
          filters.search || filters.status || filters.tier || filters.type
            ? "No actions match these filters."
            : "No actions yet: the agent has proposed nothing."
        }
        retry={refresh}
      />
      <div className="table-wrap">
        <table className="responsive queue" aria-busy={loadingOther}>
          <caption className="visually-hidden">
            Actions, sorted by {SORTS[filters.sort].toLowerCase()}
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every pending or failed action on this page"
                  checked={allSelected}
                  disabled={!canChange || selectable.length === 0}
                  onChange={() => {
                    setSelected(allSelected ? new Set() : new Set(selectable.map((row) => row.id)));
                    setAllMatching(false);
                  }}
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
              <tr
                key={action.id}
                data-action-id={action.id}
                data-status={action.status}
                tabIndex={-1}
                className={action.id === focusedId ? "focused" : undefined}
                onFocus={() => setFocusedId(action.id)}
              >
                <td data-label="Select">
                  {SELECTABLE.has(action.status) ? (
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
                  <Time value={action.createdAt} relative />
                </td>
                <td data-label="Decide" className="buttons">
                  <RowButtons action={action} canChange={canChange} onPick={decisions.open} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data ? (
        <Pager
          label="Actions"
          offset={(filters.page - 1) * PAGE_SIZE}
          pageSize={PAGE_SIZE}
          shown={rows.length}
          total={total}
          totalText={totalText}
          loading={loadingOther}
          onChange={(offset) => writeFilters({ ...filters, page: Math.floor(offset / PAGE_SIZE) + 1 }, false)}
        />
      ) : null}
      {decisions.dialog}
    </section>
  );
}

const noop = () => undefined;

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
      {action.status === "FAILED" ? (
        <button
          type="button"
          className="secondary small"
          disabled={!canChange}
          title={title}
          aria-label={`Retry action ${action.id}`}
          onClick={() => onPick({ kind: "retry", action })}
        >
          Retry
        </button>
      ) : null}
      {open && isManualTier(action.executionTier) ? (
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
        description: isManualTier(pending.action.executionTier)
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
    case "retry":
      return {
        title: `Retry action ${pending.action.id}`,
        description: `${pending.action.type} failed; it is tried again from its first attempt as soon as the guardrails allow. The retry is recorded as your decision.`,
        label: "Note",
        confirmLabel: "Retry",
      };
    case "bulk": {
      const verb = { approve: "Approve", reject: "Reject", retry: "Retry" }[pending.decision];
      const shown = pending.ids.slice(0, 30).map((id) => `#${id}`);
      const more = pending.ids.length - shown.length;
      return {
        title: `${verb} ${pending.ids.length} actions`,
        description: `Actions ${shown.join(", ")}${more > 0 ? ` and ${more.toLocaleString("en")} more` : ""}: all of them, or none if one cannot be. One decision in the audit trail lists them all.`,
        label: pending.decision === "reject" ? "Reason" : "Note",
        required: pending.decision === "reject",
        confirmLabel: `${verb} ${pending.ids.length}`,
        danger: pending.decision === "reject",
      };
    }
  }
}

/** Approve / reject / mark implemented / retry / decide many: the dialog and the mutation behind it. */
export function useDecisions(onDone: (message: string) => void) {
  const [pending, setPending] = useState<Pending>();
  const [, approve] = useMutation(APPROVE);
  const [, decideMany] = useMutation(DECIDE_MANY);
  const [, retry] = useMutation(RETRY);
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
      case "retry": {
        const result = await retry({ id: pending.action.id, note });
        return errorText(result.error) ?? done(`Action ${pending.action.id} will be retried.`);
      }
      case "bulk": {
        const result = await decideMany({ decision: pending.decision, ids: pending.ids, note });
        const past = { approve: "approved", reject: "rejected", retry: "retried" }[pending.decision];
        return errorText(result.error) ?? done(`${pending.ids.length} actions ${past}.`);
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
