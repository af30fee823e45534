import { useQuery } from "urql";
import { errorText } from "../hooks.ts";
import { ROLLBACK_PREVIEW } from "../review-queries.ts";
import { ChangeDiff } from "./ChangeDiff.tsx";

/**
 * In the rollback dialog: what undoing the execution would change now. Where the content moved on,
 * the diff is exactly what a forced rollback would discard; when it would change nothing, it says so.
 */
export function RollbackPreviewPanel({ executionLogId }: { executionLogId: string }) {
  const [{ data, error }] = useQuery({
    query: ROLLBACK_PREVIEW,
    variables: { id: executionLogId },
    requestPolicy: "network-only",
  });
  if (error)
    return <p className="error">What a rollback would change could not be computed: {errorText(error)}</p>;
  const preview = data?.rollbackPreview;
  if (!preview) return <p className="muted">Computing what a rollback would change…</p>;
  if (!preview.possible) return <p className="error">{preview.reason}</p>;
  const changesNothing = JSON.stringify(preview.before) === JSON.stringify(preview.after);
  return (
    <div className="rollback-preview">
      <h3>
        {preview.conflicts.length
          ? "What a forced rollback would change now"
          : "What rolling back changes now"}
      </h3>
      {preview.conflicts.length ? (
        <p className="warning-text">
          The content moved on since this execution; a forced rollback undoes only what the execution added.
          What it removes below is discarded, including any edit made to it since.
        </p>
      ) : null}
      {preview.conflicts.length ? (
        <ul className="conflict-list">
          {preview.conflicts.map((conflict) => (
            <li key={conflict}>{conflict}</li>
          ))}
        </ul>
      ) : null}
      {changesNothing ? (
        <p className="error">
          Rolling back would change nothing: the content it changed has been replaced since.
        </p>
      ) : preview.before && preview.after ? (
        <ChangeDiff
          before={preview.before}
          after={preview.after}
          label={`Rollback of execution ${executionLogId}`}
        />
      ) : null}
    </div>
  );
}
