// The GraphQL documents of the review screens: what an action would change (actionPreview), what
// rolling back an execution would change (rollbackPreview), and approving exactly what was previewed.
import { graphql, type ResultOf } from "./graphql.ts";

/** A field an action touches, as the server reads it (handler.affected; JSON in the schema). */
export type FieldValue = null | boolean | number | string | FieldValue[] | { [key: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

/** The page an action is about (Action.subject, JSON in the schema). */
export interface Subject {
  kind: "mod" | "collection";
  id?: number;
  slug: string;
  title: string;
  pageUrl: string;
}

export const ACTION_PREVIEW = graphql(`query ActionPreview($id: BigInt!) {
  actionPreview(actionId: $id) { actionId ok reason before after hash computedAt }
}`);
export type ActionPreview = NonNullable<ResultOf<typeof ACTION_PREVIEW>["actionPreview"]>;

export const ROLLBACK_PREVIEW = graphql(`query RollbackPreview($id: BigInt!) {
  rollbackPreview(executionLogId: $id) { executionLogId possible reason conflicts before after computedAt }
}`);

export const APPROVE_AS_SEEN = graphql(`mutation ApproveAsSeen($id: BigInt!, $hash: String!, $note: String) {
  approveActionAsSeen(input: { actionId: $id, previewHash: $hash, note: $note }) { result { id status statusReason } }
}`);

/** Pending Tier 2 proposals proposed before `before` (they expire within the warning window). */
export const EXPIRING_SOON = graphql(`query ExpiringSoon($before: Datetime!) {
  allActions(condition: { status: PENDING, executionTier: TIER_2, createdBefore: $before }, first: 5, orderBy: CREATED_AT_ASC) {
    totalCount nodes { id type changeSummary subject reviewDeadline }
  }
}`);

export const PENDING_TTL = graphql(
  "query PendingTtl { currentSettings { pendingTtl { years months days hours minutes seconds } } }",
);
