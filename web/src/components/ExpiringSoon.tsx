import { useMemo } from "react";
import { useQuery } from "urql";
import { formatAge, formatTime, intervalSeconds } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { EXPIRING_SOON, PENDING_TTL } from "../review-queries.ts";
import { Link } from "../router.tsx";
import { EXPIRES_SOON_HOURS, SubjectLink } from "./ActionSubject.tsx";

/**
 * Above the queue: pending Tier 2 proposals that expire undecided within EXPIRES_SOON_HOURS
 * (settings.pendingTtl after their proposal), the soonest first.
 */
export function ExpiringSoon() {
  const [settings] = useQuery({ query: PENDING_TTL });
  const ttl = settings.data?.currentSettings?.pendingTtl;
  // Proposed before this, a proposal expires within the window. Fixed per page load of the settings.
  const before = useMemo(
    () =>
      ttl
        ? new Date(Date.now() - (intervalSeconds(ttl) - EXPIRES_SOON_HOURS * 3_600) * 1000).toISOString()
        : null,
    [ttl],
  );
  const [{ data }] = useQuery({
    query: EXPIRING_SOON,
    // Paused until `before` is known.
    variables: { before: before ?? "" },
    pause: !before,
    requestPolicy: "cache-and-network",
  });
  const expiring = data?.allActions;
  if (!expiring?.totalCount) return null;
  return (
    <aside className="expiring-soon" aria-label="Proposals about to expire">
      <strong>
        {expiring.totalCount} pending Tier 2{" "}
        {expiring.totalCount === 1 ? "proposal expires" : "proposals expire"} undecided within{" "}
        {EXPIRES_SOON_HOURS} h:
      </strong>
      <ul>
        {nodesOf(expiring).map((action) => (
          <li key={action.id}>
            <Link to={`/admin/actions/${action.id}`}>#{action.id}</Link>{" "}
            <span className="type">{action.type}</span> <SubjectLink subject={action.subject} />{" "}
            {action.changeSummary ? `— ${action.changeSummary}` : ""}{" "}
            <span className="muted">
              expires{" "}
              <time dateTime={action.reviewDeadline ?? undefined} title={formatTime(action.reviewDeadline)}>
                {formatAge(action.reviewDeadline)}
              </time>
            </span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
