import { useState } from "react";
import { ActionPreviewPanel, APPROVE_AS_SEEN_BUTTON, mayExecute } from "../components/ActionPreview.tsx";
import { StatusBadge, TierBadge } from "../components/Badges.tsx";
import { ExecutionTable } from "../components/Executions.tsx";
import { JsonBlock } from "../components/JsonBlock.tsx";
import { LoadError } from "../components/LoadError.tsx";
import { formatAge, formatMoney, formatPercent, formatTime } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { usePolledQuery } from "../hooks.ts";
import { ACTION_DETAIL } from "../queries.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.tsx";
import { type Pending, RowButtons, useDecisions, WaitingReason } from "./Queue.tsx";

/**
 * On the action page an approval is of the preview shown: "Approve" opens the preview's own
 * approval (which records its hash) when there is one, and the plain approval otherwise.
 */
function approveAsPreviewed(open: (pending: Pending) => void) {
  return (pending: Pending) => {
    const previewed = document.getElementById(APPROVE_AS_SEEN_BUTTON);
    if (pending.kind === "approve" && previewed) previewed.click();
    else open(pending);
  };
}

/** One action: its fields, data, last result, every execution and its full history. */
export function ActionPage({ id }: { id: string }) {
  const { canChange } = useSession();
  const [notice, setNotice] = useState<string>();
  const [{ data, error }, refresh] = usePolledQuery({ query: ACTION_DETAIL, variables: { id } }, 2000);
  const decisions = useDecisions((message) => {
    setNotice(message);
    refresh();
  });
  const changed = (message: string) => {
    setNotice(message);
    refresh();
  };
  if (error) return <LoadError what={`action ${id}`} error={error} />;
  if (!data) return <p>Loading action {id}…</p>;
  const action = data.actionById;
  if (!action) {
    return (
      <section>
        <h1>Action {id}</h1>
        <p>
          There is no action {id}. <Link to="/admin/">Back to the queue</Link>
        </p>
      </section>
    );
  }
  const logs = nodesOf(action.executionLogsByActionId);
  return (
    <section aria-labelledby="action-title" className="action-detail">
      <p>
        <Link to="/admin/">← Queue</Link>
      </p>
      <h1 id="action-title">
        Action #{action.id} <span className="type">{action.type}</span>{" "}
        <TierBadge tier={action.executionTier} /> <StatusBadge status={action.status} />
      </h1>
      {action.actionTypeByType ? <p className="lead">{action.actionTypeByType.description}</p> : null}
      <WaitingReason action={action} />
      <div className="buttons detail-buttons">
        <RowButtons action={action} canChange={canChange} onPick={approveAsPreviewed(decisions.open)} />
      </div>
      <p role="status" className="notice">
        {notice}
      </p>
      {mayExecute(action) ? <ActionPreviewPanel action={action} onChanged={changed} /> : null}
      <dl className="facts">
        <dt>Confidence</dt>
        <dd>{formatPercent(action.confidence, 0)}</dd>
        <dt>Estimated impact</dt>
        <dd>{formatMoney(action.estimatedRevenueImpact)}</dd>
        <dt>Proposed</dt>
        <dd>
          {formatTime(action.createdAt)} ({formatAge(action.createdAt)}) by {action.proposedBy}
        </dd>
        <dt>Reviewed</dt>
        <dd>
          {action.reviewedBy
            ? `${action.reviewedBy} at ${formatTime(action.reviewedAt)}${action.reviewNote ? `: ${action.reviewNote}` : ""}`
            : "—"}
        </dd>
        <dt>Executed</dt>
        <dd>{formatTime(action.executedAt)}</dd>
        <dt>Attempts</dt>
        <dd>
          {action.executionAttempts}
          {action.lastAttemptAt ? ` (last ${formatTime(action.lastAttemptAt)})` : ""}
        </dd>
        <dt>Expires</dt>
        <dd>{formatTime(action.expiresAt)}</dd>
        <dt>Rate-limit key</dt>
        <dd>{action.rateLimitKey ?? "—"}</dd>
        <dt>Idempotency key</dt>
        <dd>{action.idempotencyKey ?? "—"}</dd>
      </dl>
      <div className="two-columns">
        <JsonBlock label="Action data" value={action.actionData} />
        <JsonBlock label="Last execution result" value={action.executionResult} />
      </div>
      <h2>Executions ({action.executionLogsByActionId?.totalCount ?? 0})</h2>
      {logs.length ? (
        <ExecutionTable
          logs={logs}
          caption={`Executions of action ${action.id}`}
          showAction={false}
          onChanged={changed}
        />
      ) : (
        <p className="empty">Not executed.</p>
      )}
      <h2>History</h2>
      <ol className="timeline">
        {nodesOf(data.allActionHistories).map((event) => (
          <li key={`${event.at}|${event.event}|${event.actor}|${JSON.stringify(event.details)}`}>
            <time dateTime={event.at ?? undefined}>{formatTime(event.at)}</time>{" "}
            <strong>{event.event}</strong> by {event.actor}
            {event.details && Object.keys(event.details).length ? (
              <details>
                <summary>Details</summary>
                <JsonBlock label={`${event.event} details`} value={event.details} />
              </details>
            ) : null}
          </li>
        ))}
      </ol>
      {decisions.dialog}
    </section>
  );
}
