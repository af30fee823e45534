import { type FormEvent, Fragment, useId, useState } from "react";
import { formatDuration, formatTime } from "../format.ts";
import type { ExecutionLogRow } from "../queries.ts";
import { Link } from "../router.tsx";
import { READ_ONLY, useSession } from "../session.tsx";
import { OutcomeBadge, TierBadge } from "./Badges.tsx";
import { Dialog } from "./Dialog.tsx";
import { ExecutionDiff } from "./ExecutionDiff.tsx";
import { JsonBlock } from "./JsonBlock.tsx";
import { RollbackPreviewPanel } from "./RollbackPreview.tsx";
import { Time } from "./Time.tsx";

/** auto / approved / the user who ran it. */
export function executedByLabel(executedBy: string): string {
  if (executedBy === "auto") return "auto (Tier 1)";
  if (executedBy === "approved") return "approved (Tier 2)";
  return `manual: ${executedBy}`;
}

/** Whether an execution can be undone, and if not, why not. */
export function rollbackState(log: ExecutionLogRow): { can: boolean; text: string } {
  if (log.rolledBackAt) {
    return {
      can: false,
      text: `Rolled back${log.rollbackForced ? " (forced)" : ""} by ${log.rolledBackBy} at ${formatTime(log.rolledBackAt)}: ${log.rollbackReason ?? ""}`,
    };
  }
  if (!log.success) return { can: false, text: "Failed: nothing to undo" };
  if (log.mode === "dry_run") return { can: false, text: "Dry run: nothing to undo" };
  if (log.rollbackDataPurgedAt) {
    return { can: false, text: `Too old: rollback data purged ${formatTime(log.rollbackDataPurgedAt)}` };
  }
  if (log.rollbackData === null) return { can: false, text: "No rollback data: cannot be undone" };
  return { can: true, text: "Can be rolled back" };
}

export function ExecutionTable(props: {
  logs: ExecutionLogRow[];
  caption: string;
  showAction?: boolean;
  /** The rows are those of the previous filters or page while the next ones load. */
  busy?: boolean;
  onChanged(message: string): void;
}) {
  const { canChange } = useSession();
  const [rollingBack, setRollingBack] = useState<ExecutionLogRow>();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setExpanded(next);
  };
  const columns = props.showAction === false ? 6 : 7;
  return (
    <>
      <div className="table-wrap">
        <table className="responsive executions" aria-busy={props.busy}>
          <caption className="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Execution</th>
              {props.showAction === false ? null : <th scope="col">Action</th>}
              <th scope="col">Tier</th>
              <th scope="col">Run by</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Rollback</th>
            </tr>
          </thead>
          <tbody>
            {props.logs.map((log) => {
              const state = rollbackState(log);
              const open = expanded.has(log.id);
              const detailsId = `execution-${log.id}-details`;
              return (
                <Fragment key={log.id}>
                  <tr data-log-id={log.id} data-rolled-back={log.rolledBackAt ? "yes" : "no"}>
                    <td data-label="Execution">
                      #{log.id}{" "}
                      <span className="muted">
                        <Time value={log.executedAt} />
                      </span>
                      <div>
                        <button
                          type="button"
                          className="link"
                          aria-expanded={open}
                          aria-controls={open ? detailsId : undefined}
                          onClick={() => toggle(log.id)}
                        >
                          {open ? "Hide input and output" : "Input and output"}
                        </button>
                      </div>
                    </td>
                    {props.showAction === false ? null : (
                      <td data-label="Action">
                        <Link to={`/admin/actions/${log.actionId}`}>#{log.actionId}</Link>{" "}
                        <span className="type">{log.actionType}</span>
                      </td>
                    )}
                    <td data-label="Tier">
                      <TierBadge tier={log.executionTier} />
                    </td>
                    <td data-label="Run by">
                      {executedByLabel(log.executedBy)}
                      {log.attempt > 1 ? <span className="muted"> attempt {log.attempt}</span> : null}
                    </td>
                    <td data-label="Outcome">
                      <OutcomeBadge success={log.success} mode={log.mode} />
                      {log.errorMessage ? <div className="reason">{log.errorMessage}</div> : null}
                    </td>
                    <td data-label="Duration">{formatDuration(log.durationMs)}</td>
                    <td data-label="Rollback" className="rollback-cell">
                      <span className="rollback-state">{state.text}</span>
                      {state.can ? (
                        <button
                          type="button"
                          className="secondary small"
                          disabled={!canChange}
                          title={canChange ? undefined : READ_ONLY}
                          aria-label={`Roll back execution ${log.id}`}
                          onClick={() => setRollingBack(log)}
                        >
                          Roll back
                        </button>
                      ) : null}
                    </td>
                  </tr>
                  {open ? (
                    <tr className="details-row" data-details-of={log.id}>
                      <td id={detailsId} colSpan={columns} data-label="Details">
                        <ExecutionDiff log={log} />
                        <div className="json-grid">
                          <JsonBlock label={`Input of execution ${log.id}`} value={log.inputData} />
                          <JsonBlock label={`Output of execution ${log.id}`} value={log.outputData} />
                          <JsonBlock
                            label={`Rollback data of execution ${log.id}`}
                            value={log.rollbackData}
                          />
                        </div>
                        {log.errorMessage ? <p className="error">Error: {log.errorMessage}</p> : null}
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {rollingBack ? (
        <RollbackDialog
          log={rollingBack}
          onClose={() => setRollingBack(undefined)}
          onDone={(message) => {
            setRollingBack(undefined);
            props.onChanged(message);
          }}
        />
      ) : null}
    </>
  );
}

interface RollbackAnswer {
  success: boolean;
  error?: string;
  conflicts?: string[];
  forced?: boolean;
}

/**
 * Asks for a reason and rolls back through POST /api/monetization/execute/rollback. A conflict (the
 * content changed since) is shown with what changed, and an admin may then force it.
 */
function RollbackDialog(props: { log: ExecutionLogRow; onClose(): void; onDone(message: string): void }) {
  const { rest, canChange } = useSession();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [conflicts, setConflicts] = useState<string[]>();
  const [busy, setBusy] = useState(false);
  const reasonId = useId();
  const errorId = useId();
  const send = async (force: boolean) => {
    if (!reason.trim()) {
      setError("A reason is required.");
      return;
    }
    setBusy(true);
    setError(undefined);
    const answer = await rest<RollbackAnswer>("POST", "/api/monetization/execute/rollback", {
      executionLogId: props.log.id,
      reason: reason.trim(),
      ...(force ? { force: true } : {}),
    });
    setBusy(false);
    if (answer.ok && answer.body.success) {
      props.onDone(
        `Execution ${props.log.id} rolled back${answer.body.forced ? " (forced over the conflicts)" : ""}.`,
      );
      return;
    }
    setError(answer.body.error ?? `the server answered ${answer.status}`);
    setConflicts(answer.body.conflicts);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send(false);
  };
  return (
    <Dialog title={`Roll back execution ${props.log.id}`} onClose={props.onClose} wide>
      <form onSubmit={submit}>
        <div className="dialog-description">
          Undoes what {props.log.actionType} did for action #{props.log.actionId} and marks the action rolled
          back.
        </div>
        <RollbackPreviewPanel executionLogId={props.log.id} />
        <label htmlFor={reasonId}>Reason (required)</label>
        <textarea
          id={reasonId}
          rows={3}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          aria-describedby={error ? errorId : undefined}
          autoFocus
        />
        {error ? (
          <div id={errorId} className={conflicts ? "conflict" : "error"} role="alert">
            <p>
              <strong>{conflicts ? "Conflict: " : ""}</strong>
              {error}
            </p>
            {conflicts?.length ? (
              <ul>
                {conflicts.map((conflict) => (
                  <li key={conflict}>{conflict}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          {conflicts?.length && canChange ? (
            <button type="button" className="danger" disabled={busy} onClick={() => void send(true)}>
              Force rollback
            </button>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Working…" : "Roll back"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
