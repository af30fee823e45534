import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { formatTime } from "../format.ts";
import { errorText } from "../hooks.ts";
import type { ActionRow } from "../queries.ts";
import { ACTION_PREVIEW, type ActionPreview, APPROVE_AS_SEEN } from "../review-queries.ts";
import { READ_ONLY, useSession } from "../session.tsx";
import { isManualTier, OPEN_STATUSES } from "../vocabulary.ts";
import { SubjectLink } from "./ActionSubject.tsx";
import { ChangeDiff } from "./ChangeDiff.tsx";
import { TextDialog } from "./Dialog.tsx";

/** The element id of "Approve this change", which the action page's own Approve button presses. */
export const APPROVE_AS_SEEN_BUTTON = "approve-as-previewed";

/** Whether the action may still execute, so a preview means something. */
export function mayExecute(action: Pick<ActionRow, "status" | "executionTier">): boolean {
  return !isManualTier(action.executionTier) && OPEN_STATUSES.includes(action.status);
}

/**
 * "What will change": the action's preview computed now against the current content, as a diff,
 * with the page it is about. A pending action is approved from here as seen: the approval carries
 * the preview's hash, and the execution returns it for review if the content moves on.
 */
export function ActionPreviewPanel(props: { action: ActionRow; onChanged(message: string): void }) {
  const { action } = props;
  const { canChange } = useSession();
  const [approving, setApproving] = useState<ActionPreview>();
  const [{ data, error, fetching }, recompute] = useQuery({
    query: ACTION_PREVIEW,
    variables: { id: action.id },
    requestPolicy: "network-only",
  });
  const [, approve] = useMutation(APPROVE_AS_SEEN);
  const preview = data?.actionPreview;
  return (
    <section className="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">What will change</h2>
      <p>
        <SubjectLink subject={action.subject} />
        {action.changeSummary ? <span className="change-summary"> — {action.changeSummary}</span> : null}
      </p>
      {error ? <p className="error">The preview could not be computed: {errorText(error)}</p> : null}
      {!preview && fetching ? <p className="muted">Computing the preview…</p> : null}
      {preview && !preview.ok ? (
        <p className="error preview-refused">
          This action would change nothing if it executed now: {preview.reason}
        </p>
      ) : null}
      {preview?.ok && preview.before && preview.after ? (
        <ChangeDiff before={preview.before} after={preview.after} label={`Preview of action ${action.id}`} />
      ) : null}
      <p className="muted preview-meta">
        {preview ? `Computed ${formatTime(preview.computedAt)} against the current content. ` : null}
        <button type="button" className="link" onClick={() => recompute({ requestPolicy: "network-only" })}>
          Compute again
        </button>
      </p>
      {action.status === "PENDING" && preview?.ok ? (
        <div className="buttons">
          <button
            type="button"
            id={APPROVE_AS_SEEN_BUTTON}
            className="primary"
            disabled={!canChange}
            title={canChange ? undefined : READ_ONLY}
            onClick={() => setApproving(preview)}
          >
            Approve this change
          </button>
        </div>
      ) : null}
      {approving?.hash ? (
        <TextDialog
          title={`Approve action ${action.id} as previewed`}
          description="It executes exactly the change shown. If the content changes before it runs, it comes back to the queue for review instead."
          label="Note"
          confirmLabel="Approve"
          onClose={() => setApproving(undefined)}
          onSubmit={async (note) => {
            const hash = approving.hash as string;
            const result = await approve({ id: action.id, hash, note: note || null });
            if (result.error) return errorText(result.error);
            props.onChanged(`Action ${action.id} approved as previewed.`);
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}
