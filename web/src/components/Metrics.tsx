import type { ChartConfiguration } from "chart.js";
import { useId, useMemo, useState } from "react";
import { formatPercent, formatSeconds, formatTime } from "../format.ts";
import { usePolledQuery } from "../hooks.ts";
import { CHARTS, type ExecutionDaily } from "../queries.ts";
import { ChartCanvas, COLORS } from "./Chart.tsx";
import { LoadState } from "./LoadState.tsx";
import { ReviewTimeByType, ReviewTimeCards } from "./ReviewTime.tsx";

const DAYS = 14;
const DAY_MS = 86_400_000;

/** PRD-18's success metrics and their targets. */
const TARGETS = {
  successRate: 0.95,
  rollbackRate: 0.05,
  tier1Seconds: 15 * 60,
  tier2Seconds: 60 * 60,
};

function utcDay(time: number): Date {
  return new Date(Math.floor(time / DAY_MS) * DAY_MS);
}

/**
 * Success metrics against their targets, success / failure per day, executions by type. One request
 * per refresh (the stats and the daily series), live only or with dry runs.
 */
export function ExecutionMetrics() {
  const today = utcDay(Date.now()).getTime();
  const [dryRuns, setDryRuns] = useState(false);
  const dryRunsId = useId();
  const variables = useMemo(
    () => ({
      rangeStart: new Date(today - 29 * DAY_MS).toISOString(),
      rangeEnd: new Date(today + DAY_MS).toISOString(),
      dailyStart: new Date(today - (DAYS - 1) * DAY_MS).toISOString(),
      dryRuns,
    }),
    [today, dryRuns],
  );
  const rangeStart = new Date(variables.rangeStart);
  const [{ data, error }, refresh] = usePolledQuery({ query: CHARTS, variables }, 10_000);
  const dailySeries = data?.daily as ExecutionDaily | undefined;
  const executions = dryRuns ? "Executions (live and dry run)" : "Live executions";

  const daily = useMemo(
    () =>
      (dailySeries?.days ?? []).map((day) => ({
        label: `${new Date(day.day).toLocaleDateString("en-GB", { month: "short", day: "numeric", timeZone: "UTC" })}`,
        succeeded: day.succeeded,
        failed: day.failed,
        dryRuns: day.dryRuns,
        rate: day.successRate,
      })),
    [dailySeries],
  );
  const byType = useMemo(
    () =>
      Object.entries(dailySeries?.byType ?? {})
        .map(([type, counts]) => ({
          type,
          kept: counts.succeeded - counts.rolledBack,
          rolledBack: counts.rolledBack,
          failed: counts.failed,
          attempts: counts.attempts,
          dryRuns: counts.dryRuns,
        }))
        .sort((a, b) => b.attempts - a.attempts),
    [dailySeries],
  );

  const dailyConfig = useMemo<ChartConfiguration>(
    () => ({
      type: "bar",
      data: {
        labels: daily.map((day) => day.label),
        datasets: [
          {
            type: "bar",
            label: "Succeeded",
            data: daily.map((day) => day.succeeded),
            backgroundColor: COLORS.success,
            stack: "count",
            yAxisID: "y",
          },
          {
            type: "bar",
            label: "Failed",
            data: daily.map((day) => day.failed),
            backgroundColor: COLORS.failure,
            stack: "count",
            yAxisID: "y",
          },
          {
            type: "line",
            label: "Success rate (%)",
            data: daily.map((day) => (day.rate === null ? null : Number(day.rate) * 100)),
            borderColor: COLORS.rate,
            backgroundColor: COLORS.rate,
            spanGaps: true,
            yAxisID: "rate",
          },
          {
            type: "line",
            label: "Target 95%",
            data: daily.map(() => TARGETS.successRate * 100),
            borderColor: COLORS.target,
            borderDash: [6, 4],
            pointRadius: 0,
            yAxisID: "rate",
          },
        ],
      },
      options: {
        scales: {
          x: { stacked: true, title: { display: true, text: "Day (UTC)" } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: executions } },
          rate: {
            position: "right",
            min: 0,
            max: 100,
            grid: { drawOnChartArea: false },
            title: { display: true, text: "Success rate (%)" },
          },
        },
      },
    }),
    [daily, executions],
  );
  const typeConfig = useMemo<ChartConfiguration>(
    () => ({
      type: "bar",
      data: {
        labels: byType.map((row) => row.type),
        datasets: [
          { label: "Succeeded", data: byType.map((row) => row.kept), backgroundColor: COLORS.success },
          {
            label: "Rolled back",
            data: byType.map((row) => row.rolledBack),
            backgroundColor: COLORS.rolledBack,
          },
          { label: "Failed", data: byType.map((row) => row.failed), backgroundColor: COLORS.failure },
        ],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { stacked: true, beginAtZero: true, title: { display: true, text: executions } },
          y: { stacked: true },
        },
      },
    }),
    [byType, executions],
  );

  if (error && !data)
    return (
      <LoadState
        what="the statistics"
        loaded={false}
        error={error}
        empty={false}
        emptyText=""
        retry={refresh}
      />
    );
  const range = data?.range;
  const metrics = range?.metrics;
  const counts = range?.today;
  return (
    <section aria-labelledby="metrics-title" className="metrics">
      <h2 id="metrics-title">Success metrics</h2>
      <LoadState
        what="the latest statistics"
        loaded
        error={error}
        empty={false}
        emptyText=""
        retry={refresh}
      />
      <p className="muted">
        Live executions from {formatTime(rangeStart).slice(0, 10)} to today (30 days, UTC days), against
        PRD-18's targets.
      </p>
      <ul className="metric-cards">
        <MetricCard
          name="Success rate"
          value={metrics?.successRate ?? null}
          show={(value) => formatPercent(value)}
          target={`> ${formatPercent(TARGETS.successRate, 0)}`}
          meets={(value) => value > TARGETS.successRate}
          detail={metrics ? `${metrics.succeeded} of ${metrics.executions} executions` : undefined}
        />
        <MetricCard
          name="Rollback rate"
          value={metrics?.rollbackRate ?? null}
          show={(value) => formatPercent(value)}
          target={`< ${formatPercent(TARGETS.rollbackRate, 0)}`}
          meets={(value) => value < TARGETS.rollbackRate}
          detail={metrics ? `${metrics.rolledBack} of ${metrics.succeeded} successful executions` : undefined}
        />
        <MetricCard
          name="Time to execute, Tier 1"
          value={metrics?.tier1TimeToExecute?.p95Seconds ?? null}
          show={(value) => `p95 ${formatSeconds(value)}`}
          target="< 15 min (proposal to execution)"
          meets={(value) => value < TARGETS.tier1Seconds}
          detail={
            metrics?.tier1TimeToExecute?.executions
              ? `median ${formatSeconds(metrics.tier1TimeToExecute.p50Seconds ?? 0)}, ${metrics.tier1TimeToExecute.executions} executions`
              : undefined
          }
        />
        <MetricCard
          name="Time to execute, Tier 2"
          value={metrics?.tier2TimeToExecute?.p95Seconds ?? null}
          show={(value) => `p95 ${formatSeconds(value)}`}
          target="< 1 h (approval to execution)"
          meets={(value) => value < TARGETS.tier2Seconds}
          detail={
            metrics?.tier2TimeToExecute?.executions
              ? `median ${formatSeconds(metrics.tier2TimeToExecute.p50Seconds ?? 0)}, ${metrics.tier2TimeToExecute.executions} executions`
              : undefined
          }
        />
        <ReviewTimeCards review={metrics?.reviewTime ?? undefined} />
      </ul>
      <ReviewTimeByType review={metrics?.reviewTime ?? undefined} />
      {counts ? (
        <p className="today">
          Today (UTC): {counts.autoExecuted} auto, {counts.approvedExecuted} approved, {counts.manualExecuted}{" "}
          manual, {counts.dryRuns} dry runs, {counts.failed} failed, {counts.rolledBack} rolled back.
        </p>
      ) : null}
      <div className="chart-options">
        <input
          id={dryRunsId}
          type="checkbox"
          checked={dryRuns}
          onChange={(event) => setDryRuns(event.target.checked)}
        />
        <label htmlFor={dryRunsId}>Include dry runs in the charts</label>
      </div>
      <div className="charts">
        <figure>
          <figcaption>
            Success and failure per day (last {DAYS} days, UTC){dryRuns ? ", dry runs included" : ""}
          </figcaption>
          <ChartCanvas
            config={dailyConfig}
            label={`${executions} per day for the last ${DAYS} days: succeeded and failed bars, success rate line against the 95% target`}
          />
          <details>
            <summary>Show as a table</summary>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Success rate</th>
                  <th scope="col">Of them dry runs</th>
                </tr>
              </thead>
              <tbody>
                {daily.map((day) => (
                  <tr key={day.label}>
                    <th scope="row">{day.label}</th>
                    <td>{day.succeeded}</td>
                    <td>{day.failed}</td>
                    <td>{formatPercent(day.rate)}</td>
                    <td>{day.dryRuns}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
        <figure>
          <figcaption>
            Executions by type (last {DAYS} days){dryRuns ? ", dry runs included" : ""}
          </figcaption>
          {byType.length ? (
            <ChartCanvas
              config={typeConfig}
              label={`${executions} by action type over ${DAYS} days: succeeded, rolled back and failed`}
              height={Math.max(160, 60 + byType.length * 36)}
            />
          ) : (
            <p className="empty">
              {dryRuns ? "No executions" : "No live executions"} in the last {DAYS} days
              {dryRuns ? "." : " (include dry runs to see what would have run)."}
            </p>
          )}
          <details>
            <summary>Show as a table</summary>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Attempts (incl. failed)</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Rolled back</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Of them dry runs</th>
                </tr>
              </thead>
              <tbody>
                {byType.map((row) => (
                  <tr key={row.type}>
                    <th scope="row">{row.type}</th>
                    <td>{row.attempts}</td>
                    <td>{row.kept}</td>
                    <td>{row.rolledBack}</td>
                    <td>{row.failed}</td>
                    <td>{row.dryRuns}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
      </div>
    </section>
  );
}

export function MetricCard(props: {
  name: string;
  value: number | null;
  show(value: number): string;
  target: string;
  /** Whether the value meets the target; without it the card is for information. */
  meets?(value: number): boolean;
  detail?: string;
}) {
  const value = props.value === null ? null : Number(props.value);
  const verdict = value === null ? "none" : !props.meets ? "info" : props.meets(value) ? "meets" : "misses";
  return (
    <li className={`metric metric-${verdict}`} data-metric={props.name}>
      <span className="metric-name">{props.name}</span>
      <span className="metric-value">{value === null ? "no data" : props.show(value)}</span>
      <span className="metric-target">{props.meets ? `Target ${props.target}` : props.target}</span>
      <span className="metric-verdict">
        {verdict === "meets"
          ? "✓ meets target"
          : verdict === "misses"
            ? "✗ misses target"
            : verdict === "info"
              ? "for information"
              : "not measured yet"}
      </span>
      {props.detail ? <span className="metric-detail">{props.detail}</span> : null}
    </li>
  );
}
