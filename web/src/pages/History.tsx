import { useId, useState } from "react";
import { useQuery } from "urql";
import { ExecutionTable } from "../components/Executions.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { ExecutionMetrics } from "../components/Metrics.tsx";
import { Pager } from "../components/Pager.tsx";
import { nodesOf, type VariablesOf } from "../graphql.ts";
import { HISTORY_LOGS, type LogCount } from "../history-queries.ts";
import { showsPreviousAnswer, usePolledQuery } from "../hooks.ts";
import { ACTION_TYPES } from "../queries.ts";
import { isManualTier } from "../vocabulary.ts";

const PAGE_SIZE = 25;
type LogCondition = NonNullable<VariablesOf<typeof HISTORY_LOGS>["condition"]>;

/** Execution logs with filters, input/output, rollback; the PRD's metrics and charts above them. */
export function HistoryPage() {
  const [kind, setKind] = useState("");
  const [mode, setMode] = useState("");
  const [outcome, setOutcome] = useState("");
  const [type, setType] = useState("");
  const [offset, setOffset] = useState(0);
  const [notice, setNotice] = useState<string>();
  const ids = { kind: useId(), mode: useId(), outcome: useId(), type: useId() };
  // The selects offer only the schema's values of these enums.
  const condition: LogCondition = {
    ...(kind ? { executedByKind: kind as LogCondition["executedByKind"] } : {}),
    ...(mode ? { mode: mode as LogCondition["mode"] } : {}),
    ...(outcome ? { success: outcome === "succeeded" } : {}),
    ...(type ? { actionType: type } : {}),
  };
  const filters = {
    kind: condition.executedByKind ?? null,
    mode: condition.mode ?? null,
    success: outcome ? outcome === "succeeded" : null,
    type: type || null,
  };
  const variables = { condition, first: PAGE_SIZE, offset, ...filters };
  const [result, refresh] = usePolledQuery({ query: HISTORY_LOGS, variables }, 3000);
  const { data, error, fetching } = result;
  const loadingOther = showsPreviousAnswer(result, variables);
  const [types] = useQuery({ query: ACTION_TYPES });

  const setFilter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setOffset(0);
  };
  const logs = nodesOf(data?.allExecutionLogs);
  const count = data?.countExecutionLogs as LogCount | null | undefined;
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">Execution history</h1>
      <ExecutionMetrics />
      <h2>Executions</h2>
      <form className="filters" aria-label="Filter executions" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.kind}>Run by</label>
          <select id={ids.kind} value={kind} onChange={(event) => setFilter(setKind)(event.target.value)}>
            <option value="">Everyone</option>
            <option value="AUTO">Auto (Tier 1)</option>
            <option value="APPROVED">After approval (Tier 2)</option>
            <option value="MANUAL">Manual (an admin)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.mode}>Mode</label>
          <select id={ids.mode} value={mode} onChange={(event) => setFilter(setMode)(event.target.value)}>
            <option value="">Live and dry run</option>
            <option value="live">Live</option>
            <option value="dry_run">Dry run</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select
            id={ids.outcome}
            value={outcome}
            onChange={(event) => setFilter(setOutcome)(event.target.value)}
          >
            <option value="">Any outcome</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Type</label>
          <select id={ids.type} value={type} onChange={(event) => setFilter(setType)(event.target.value)}>
            <option value="">All types</option>
            {nodesOf(types.data?.allActionTypes)
              .filter((row) => !isManualTier(row.tier))
              .map((row) => (
                <option key={row.type} value={row.type}>
                  {row.type}
                </option>
              ))}
          </select>
        </div>
      </form>
      <p role="status" className="notice">
        {notice}
      </p>
      <LoadState
        what="the executions"
        loaded={!!data}
        error={error}
        empty={!!data && !logs.length && !fetching}
        emptyText={
          kind || mode || outcome || type ? "No executions match these filters." : "No executions yet."
        }
        retry={refresh}
      />
      <ExecutionTable
        logs={logs}
        caption="Executions, newest first"
        busy={loadingOther}
        onChanged={(message) => {
          setNotice(message);
          refresh();
        }}
      />
      <Pager
        label="Executions"
        offset={offset}
        pageSize={PAGE_SIZE}
        shown={logs.length}
        total={count?.matching ?? 0}
        totalText={count?.capped ? `more than ${count.cap.toLocaleString("en")}` : undefined}
        loading={loadingOther}
        onChange={setOffset}
      />
    </section>
  );
}
