// The GraphQL documents of the review screens: what an action would change (actionPreview), what
// rolling back an execution would change (rollbackPreview), and approving exactly what was previewed.

/** A field an action touches, as the server reads it (handler.affected). */
export type FieldValue = null | boolean | number | string | FieldValue[] | { [key: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

/** The page an action is about (Action.subject). */
export interface Subject {
  kind: "mod" | "collection";
  id?: number;
  slug: string;
  title: string;
  pageUrl: string;
}

/** What the queue rows and the action page read about the change, besides the action's own columns. */
export interface ReviewFields {
  changeSummary: string | null;
  subject: Subject | null;
  reviewDeadline: string | null;
}

export const REVIEW_FIELDS = "changeSummary subject reviewDeadline";

export interface ActionPreview {
  actionId: string;
  ok: boolean;
  reason: string | null;
  before: Fields | null;
  after: Fields | null;
  hash: string | null;
  computedAt: string;
}

export const ACTION_PREVIEW = `query ActionPreview($id: BigInt!) {
  actionPreview(actionId: $id) { actionId ok reason before after hash computedAt }
}`;

export interface RollbackPreview {
  executionLogId: string;
  possible: boolean;
  reason: string | null;
  conflicts: string[];
  before: Fields | null;
  after: Fields | null;
  computedAt: string;
}

export const ROLLBACK_PREVIEW = `query RollbackPreview($id: BigInt!) {
  rollbackPreview(executionLogId: $id) { executionLogId possible reason conflicts before after computedAt }
}`;

export const APPROVE_AS_SEEN = `mutation ApproveAsSeen($id: BigInt!, $hash: String!, $note: String) {
  approveActionAsSeen(input: { actionId: $id, previewHash: $hash, note: $note }) { result { id status statusReason } }
}`;

/** Pending Tier 2 proposals proposed before `before` (they expire within the warning window). */
export const EXPIRING_SOON = `query ExpiringSoon($before: Datetime!) {
  allActions(condition: { status: PENDING, executionTier: TIER_2, createdBefore: $before }, first: 5, orderBy: CREATED_AT_ASC) {
    totalCount nodes { id type changeSummary subject reviewDeadline }
  }
}`;

export const PENDING_TTL =
  "query PendingTtl { currentSettings { pendingTtl { years months days hours minutes seconds } } }";
