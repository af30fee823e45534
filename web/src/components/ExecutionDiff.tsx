import type { ExecutionDiffValue, ExecutionLogRow } from "../queries.ts";
import { ChangeDiff } from "./ChangeDiff.tsx";

/** In an execution's details: the diff of what it changed (for a dry run: would have changed). */
export function ExecutionDiff({ log }: { log: ExecutionLogRow }) {
  const diff = log.diff as ExecutionDiffValue;
  if (!diff) return null;
  return (
    <div className="execution-diff">
      <h3>{log.mode === "dry_run" ? "What it would have changed (dry run)" : "What it changed"}</h3>
      <ChangeDiff before={diff.before} after={diff.after} label={`Change made by execution ${log.id}`} />
    </div>
  );
}
