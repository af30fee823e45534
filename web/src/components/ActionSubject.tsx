import { formatAge, formatTime } from "../format.ts";
import type { ActionRow } from "../queries.ts";
import type { Subject } from "../review-queries.ts";
import { Link } from "../router.tsx";

/** Pending proposals that expire within this many hours are flagged. */
export const EXPIRES_SOON_HOURS = 72;

export function expiresSoon(deadline: string | null | undefined, now = Date.now()): boolean {
  return !!deadline && new Date(deadline).getTime() - now < EXPIRES_SOON_HOURS * 3_600_000;
}

/** The page an action is about (Action.subject: JSON, a Subject): its title linking to the live page, and its slug. */
export function SubjectLink(props: { subject: unknown }) {
  const subject = props.subject as Subject | null | undefined;
  if (!subject) return null;
  return (
    <span className="subject">
      <a href={subject.pageUrl} target="_blank" rel="noreferrer" className="subject-title">
        {subject.title}
      </a>{" "}
      <span className="muted slug">
        {subject.kind === "collection" ? "new page " : ""}/{subject.slug}
      </span>
    </span>
  );
}

/** A queue row's "Action" cell: id and type, the page it is about, what it changes, when it expires. */
export function ActionSubjectCell({ action }: { action: ActionRow }) {
  return (
    <div className="action-subject">
      <Link to={`/admin/actions/${action.id}`}>#{action.id}</Link> <span className="type">{action.type}</span>
      <div>
        <SubjectLink subject={action.subject} />
      </div>
      {action.changeSummary ? <div className="change-summary">{action.changeSummary}</div> : null}
      {expiresSoon(action.reviewDeadline) ? (
        <div className="expires-soon">
          expires undecided{" "}
          <time dateTime={action.reviewDeadline ?? undefined} title={formatTime(action.reviewDeadline)}>
            {formatAge(action.reviewDeadline)}
          </time>
        </div>
      ) : null}
    </div>
  );
}
