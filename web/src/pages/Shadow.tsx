import type { ChartConfiguration } from "chart.js";
import { useId, useMemo } from "react";
import { TierBadge } from "../components/Badges.tsx";
import { ChartCanvas, COLORS } from "../components/Chart.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { formatMoney, formatPercent, formatSeconds, formatTime } from "../format.ts";
import { usePolledQuery } from "../hooks.ts";
import { SHADOW } from "../queries.ts";
import { setSearchParams, useLocation } from "../router.tsx";

interface ShadowType {
  type: string;
  tier: number;
  dryRuns: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  topFailures: { reason: string; count: number }[];
  wouldExecute: number;
  deferred: number;
  deferredSeconds: { avg: number | null; max: number | null };
  notWithinRange: number;
  estimatedRevenueImpact: number;
}

/** autoexec.shadow_report() (JSON). */
interface ShadowReport {
  range: { from: string; to: string };
  limits: {
    hourlyLimit: number;
    dailyLimit: number;
    rateLimitKeyLimit: number;
    rateLimitKeyWindowSeconds: number;
  };
  types: ShadowType[];
  totals: Omit<ShadowType, "type" | "tier" | "topFailures" | "deferredSeconds">;
  readyForPhase2: { ready: boolean; reasons: string[] };
}

const RANGES = [7, 14, 30];
const DAY_MS = 86_400_000;

/** PRD-18 phase 1: what the dry runs would have done live under the limits, and whether to go on. */
export function ShadowPage() {
  const location = useLocation();
  const chosen = Number(new URLSearchParams(location.search).get("days"));
  const days = RANGES.includes(chosen) ? chosen : 14;
  const rangeId = useId();
  const variables = useMemo(() => {
    const end = Math.ceil(Date.now() / 60_000) * 60_000; // whole minutes: the same query while polling
    return { rangeStart: new Date(end - days * DAY_MS).toISOString(), rangeEnd: new Date(end).toISOString() };
  }, [days]);
  const [{ data, error }, refresh] = usePolledQuery({ query: SHADOW, variables }, 30_000);
  const report = data?.shadowReport as ShadowReport | null | undefined;
  return (
    <section aria-labelledby="shadow-title">
      <h1 id="shadow-title">Shadow report (phase 1)</h1>
      <p className="lead">
        What the dry runs would have done live. Dry runs skip the rate limits; here each action's first
        successful dry run is replayed under today's limits (hourly, daily, per rate-limit key and per-type
        daily caps), so "would have executed" is what phase 2 would really do.
      </p>
      <div className="filters">
        <div className="field">
          <label htmlFor={rangeId}>Range</label>
          <select
            id={rangeId}
            value={days}
            onChange={(event) => setSearchParams(new URLSearchParams({ days: event.target.value }))}
          >
            {RANGES.map((value) => (
              <option key={value} value={value}>
                Last {value} days
              </option>
            ))}
          </select>
        </div>
      </div>
      <LoadState
        what="the shadow report"
        loaded={!!report}
        error={error}
        empty={!!report && report.types.length === 0}
        emptyText="No dry runs in this range: run the engine in dry run (rollout phase 1) to fill this report."
        retry={refresh}
      />
      {report ? <ShadowSummary report={report} /> : null}
      {report?.types.length ? (
        <div className="charts shadow-charts">
          {report.types.map((row) => (
            <ShadowTypeChart key={row.type} row={row} />
          ))}
        </div>
      ) : null}
    </section>
  );
}

function ShadowSummary({ report }: { report: ShadowReport }) {
  const { totals, readyForPhase2: verdict, limits } = report;
  return (
    <div
      className={`card shadow-verdict ${verdict.ready ? "ready" : "not-ready"}`}
      data-ready={verdict.ready}
    >
      <h2>Ready for phase 2? {verdict.ready ? "Yes" : "Not yet"}</h2>
      {verdict.reasons.length ? (
        <ul>
          {verdict.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : (
        <p>At least 20 dry runs with a success rate of 95 % or more.</p>
      )}
      <p>
        From {formatTime(report.range.from)} to {formatTime(report.range.to)}: {totals.dryRuns} dry runs,{" "}
        {formatPercent(totals.successRate)} succeeded. Actions that would have executed under the limits:{" "}
        {totals.wouldExecute} ({totals.deferred} of them deferred first); still waiting at the end:{" "}
        {totals.notWithinRange}; estimated impact of what would have run:{" "}
        <strong>{formatMoney(totals.estimatedRevenueImpact)}</strong>.
      </p>
      <p className="muted">
        Limits replayed: {limits.hourlyLimit} per hour, {limits.dailyLimit} per day (Tier 1),{" "}
        {limits.rateLimitKeyLimit} per rate-limit key per {formatSeconds(limits.rateLimitKeyWindowSeconds)},
        and each type's daily cap.
      </p>
    </div>
  );
}

function ShadowTypeChart({ row }: { row: ShadowType }) {
  const immediate = row.wouldExecute - row.deferred;
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: "bar",
      data: {
        labels: [row.type],
        datasets: [
          { label: "Would execute at once", data: [immediate], backgroundColor: COLORS.success },
          { label: "Would execute after a wait", data: [row.deferred], backgroundColor: COLORS.rate },
          {
            label: "Held back past the range",
            data: [row.notWithinRange],
            backgroundColor: COLORS.rolledBack,
          },
          { label: "Dry run failed", data: [row.failed], backgroundColor: COLORS.failure },
        ],
      },
      options: {
        indexAxis: "y",
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true, display: false } },
      },
    }),
    [row, immediate],
  );
  return (
    <figure data-shadow-type={row.type}>
      <figcaption>
        {row.type} <TierBadge tier={row.tier} />
      </figcaption>
      <ChartCanvas
        config={config}
        height={130}
        label={`${row.type}: ${immediate} would execute at once, ${row.deferred} after a wait, ${row.notWithinRange} held back, ${row.failed} dry runs failed`}
      />
      <table className="data">
        <tbody>
          <tr>
            <th scope="row">Dry runs</th>
            <td>
              {row.dryRuns} ({row.succeeded} succeeded, {row.failed} failed, {formatPercent(row.successRate)})
            </td>
          </tr>
          <tr>
            <th scope="row">Would have executed</th>
            <td>{row.wouldExecute}</td>
          </tr>
          <tr>
            <th scope="row">Deferred by the limits</th>
            <td>
              {row.deferred}
              {row.deferred
                ? ` (average ${formatSeconds(row.deferredSeconds.avg ?? 0)}, longest ${formatSeconds(row.deferredSeconds.max ?? 0)})`
                : ""}
            </td>
          </tr>
          <tr>
            <th scope="row">Held back past the range</th>
            <td>{row.notWithinRange}</td>
          </tr>
          <tr>
            <th scope="row">Estimated impact</th>
            <td>{formatMoney(row.estimatedRevenueImpact)}</td>
          </tr>
          <tr>
            <th scope="row">Top failure reasons</th>
            <td>
              {row.topFailures.length
                ? row.topFailures.map((failure) => `${failure.reason} (${failure.count})`).join("; ")
                : "none"}
            </td>
          </tr>
        </tbody>
      </table>
    </figure>
  );
}
