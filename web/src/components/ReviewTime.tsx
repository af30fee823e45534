import { formatPercent, formatSeconds } from "../format.ts";
import type { ReviewTime } from "../queries.ts";
import { MetricCard } from "./Metrics.tsx";

/** PRD-18's "admin review time saved 50%+" and the time admins take to decide, as metric cards. */
export function ReviewTimeCards({ review }: { review: ReviewTime | undefined }) {
  const decided = review?.decisions ?? 0;
  return (
    <>
      <MetricCard
        name="Review time saved"
        value={review?.savedShare ?? null}
        show={(value) => formatPercent(value)}
        target={`≥ ${formatPercent(review?.target ?? 0.5, 0)} of decisions`}
        meets={(value) => value >= (review?.target ?? 0.5)}
        detail={
          review
            ? `${review.automatedDecisions} decisions Tier 1 made on its own, ${decided} by admins${
                review.savedSeconds !== null
                  ? `; about ${formatSeconds(review.savedSeconds)} of waiting saved`
                  : ""
              }`
            : undefined
        }
      />
      <MetricCard
        name="Time to decision"
        value={review?.p50Seconds ?? null}
        show={(value) => `median ${formatSeconds(value)}`}
        target="Proposal to approve or reject (no PRD target)"
        detail={
          review?.decisions
            ? `p95 ${formatSeconds(review.p95Seconds ?? 0)}, ${review.decisions} decisions`
            : undefined
        }
      />
    </>
  );
}

/** The time to decision per action type, as a table. */
export function ReviewTimeByType({ review }: { review: ReviewTime | undefined }) {
  const rows = (review?.byType ?? [])
    .filter((row) => row !== null)
    .sort((a, b) => (b.decisions ?? 0) - (a.decisions ?? 0));
  if (!rows.length) return null;
  return (
    <details className="review-cards">
      <summary>Time to decision by type</summary>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Decisions</th>
            <th scope="col">Median</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.type} data-review-type={row.type}>
              <th scope="row">{row.type}</th>
              <td>{row.decisions}</td>
              <td>{row.p50Seconds === null ? "—" : formatSeconds(row.p50Seconds)}</td>
              <td>{row.p95Seconds === null ? "—" : formatSeconds(row.p95Seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
