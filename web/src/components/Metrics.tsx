import type { ChartConfiguration } from "chart.js";
import { useMemo } from "react";
import { formatPercent, formatSeconds } from "../format.ts";
import { usePolledQuery } from "../hooks.ts";
import { dailyStatsQuery, type ExecutionStats } from "../queries.ts";
import { ChartCanvas, COLORS } from "./Chart.tsx";
import { LoadError } from "./LoadError.tsx";

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

type ChartsData = Record<string, ExecutionStats>;

/** Success metrics against their targets, success / failure per day, executions by type. */
export function ExecutionMetrics() {
  const today = utcDay(Date.now()).getTime();
  const { query, days, rangeStart } = useMemo(() => {
    const days = Array.from({ length: DAYS }, (_, index) => new Date(today - (DAYS - 1 - index) * DAY_MS));
    const rangeStart = new Date(today - 29 * DAY_MS);
    return { query: dailyStatsQuery(days, rangeStart, new Date(today + DAY_MS)), days, rangeStart };
  }, [today]);
  const [{ data, error }, _refresh] = usePolledQuery<ChartsData>({ query }, 10_000);

  const daily = useMemo(
    () =>
      days.map((day, index) => {
        const metrics = data?.[`d${index}`]?.metrics;
        return {
          label: day.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" }),
          succeeded: metrics?.succeeded ?? 0,
          failed: metrics?.failed ?? 0,
          rate: metrics?.successRate ?? null,
        };
      }),
    [data, days],
  );
  const byType = useMemo(
    () =>
      Object.entries(data?.range?.byType ?? {})
        .map(([type, counts]) => ({
          type,
          kept: counts.succeeded - counts.rolledBack,
          rolledBack: counts.rolledBack,
          failed: counts.failed,
          attempts: counts.attempts,
        }))
        .sort((a, b) => b.attempts - a.attempts),
    [data],
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
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "Live executions" } },
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
    [daily],
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
          x: { stacked: true, beginAtZero: true, title: { display: true, text: "Live executions" } },
          y: { stacked: true },
        },
      },
    }),
    [byType],
  );

  if (error) return <LoadError what="the statistics" error={error} />;
  const range = data?.range;
  const metrics = range?.metrics;
  return (
    <section aria-labelledby="metrics-title" className="metrics">
      <h2 id="metrics-title">Success metrics</h2>
      <p className="muted">
        Live executions from {rangeStart.toLocaleDateString(undefined, { timeZone: "UTC" })} to today (30
        days, UTC), against PRD-18's targets.
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
          value={metrics?.tier1TimeToExecute.p95Seconds ?? null}
          show={(value) => `p95 ${formatSeconds(value)}`}
          target="< 15 min (proposal to execution)"
          meets={(value) => value < TARGETS.tier1Seconds}
          detail={
            metrics?.tier1TimeToExecute.executions
              ? `median ${formatSeconds(metrics.tier1TimeToExecute.p50Seconds ?? 0)}, ${metrics.tier1TimeToExecute.executions} executions`
              : undefined
          }
        />
        <MetricCard
          name="Time to execute, Tier 2"
          value={metrics?.tier2TimeToExecute.p95Seconds ?? null}
          show={(value) => `p95 ${formatSeconds(value)}`}
          target="< 1 h (approval to execution)"
          meets={(value) => value < TARGETS.tier2Seconds}
          detail={
            metrics?.tier2TimeToExecute.executions
              ? `median ${formatSeconds(metrics.tier2TimeToExecute.p50Seconds ?? 0)}, ${metrics.tier2TimeToExecute.executions} executions`
              : undefined
          }
        />
      </ul>
      {range ? (
        <p className="today">
          Today (UTC): {range.today.autoExecuted} auto, {range.today.approvedExecuted} approved,{" "}
          {range.today.manualExecuted} manual, {range.today.dryRuns} dry runs, {range.today.failed} failed,{" "}
          {range.today.rolledBack} rolled back.
        </p>
      ) : null}
      <div className="charts">
        <figure>
          <figcaption>Success and failure per day (last {DAYS} days, UTC)</figcaption>
          <ChartCanvas
            config={dailyConfig}
            label={`Live executions per day for the last ${DAYS} days: succeeded and failed bars, success rate line against the 95% target`}
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
                </tr>
              </thead>
              <tbody>
                {daily.map((day) => (
                  <tr key={day.label}>
                    <th scope="row">{day.label}</th>
                    <td>{day.succeeded}</td>
                    <td>{day.failed}</td>
                    <td>{formatPercent(day.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
        <figure>
          <figcaption>Executions by type (30 days)</figcaption>
          {byType.length ? (
            <ChartCanvas
              config={typeConfig}
              label="Live executions by action type over 30 days: succeeded, rolled back and failed"
              height={Math.max(160, 60 + byType.length * 36)}
            />
          ) : (
            <p className="empty">No live executions in the last 30 days.</p>
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

function MetricCard(props: {
  name: string;
  value: number | null;
  show(value: number): string;
  target: string;
  meets(value: number): boolean;
  detail?: string;
}) {
  const value = props.value === null ? null : Number(props.value);
  const verdict = value === null ? "none" : props.meets(value) ? "meets" : "misses";
  return (
    <li className={`metric metric-${verdict}`} data-metric={props.name}>
      <span className="metric-name">{props.name}</span>
      <span className="metric-value">{value === null ? "no data" : props.show(value)}</span>
      <span className="metric-target">Target {props.target}</span>
      <span className="metric-verdict">
        {verdict === "meets"
          ? "✓ meets target"
          : verdict === "misses"
            ? "✗ misses target"
            : "not measured yet"}
      </span>
      {props.detail ? <span className="metric-detail">{props.detail}</span> : null}
    </li>
  );
}
