// The queue page's GraphQL documents (issue 14 part 4): search, counts, select-all, bulk decisions.
import { graphql } from "./graphql.ts";
import { ActionFields } from "./queries.ts";
import { ACTION_STATUSES, tierOf } from "./vocabulary.ts";

export const SORTS = {
  NEWEST: "Newest first",
  OLDEST: "Oldest first",
  VALUE: "Value (confidence × impact)",
  CONFIDENCE: "Confidence",
  IMPACT: "Estimated impact",
} as const;
export type Sort = keyof typeof SORTS;

/** What the queue shows: every field is in the URL. */
export interface QueueFilters {
  search: string;
  status: string;
  tier: string;
  type: string;
  sort: Sort;
  page: number;
}

/** countActions (JSON): how many actions match the filters, and how many newer arrived, up to `cap`. */
export interface QueueCounts {
  matching: number;
  capped: boolean;
  newer: number;
  newerCapped: boolean;
  cap: number;
  latestId: number | null;
}

// The filters' arguments are the same in the three documents below; gql.tada needs each document as
// one literal string, so they are spelled out in each.
export const QUEUE_PAGE = graphql(
  `query QueuePage($search: String, $status: ActionStatus, $tier: Tier, $type: String, $upToId: BigInt,
    $sort: String, $size: Int, $offset: Int) {
    searchActionsList(search: $search, status: $status, tier: $tier, type: $type, upToId: $upToId,
      sort: $sort, pageSize: $size, pageOffset: $offset) { ...ActionFields }
    countActions(search: $search, status: $status, tier: $tier, type: $type, upToId: $upToId)
  }`,
  [ActionFields],
);

export const MATCHING_IDS =
  graphql(`query MatchingIds($search: String, $status: ActionStatus, $tier: Tier, $type: String,
  $upToId: BigInt) {
  matchingActionIds(search: $search, status: $status, tier: $tier, type: $type, upToId: $upToId)
}`);

export type BulkDecision = "approve" | "reject" | "retry";

export const DECIDE_MANY = graphql(`mutation DecideMany($decision: String!, $ids: [BigInt]!, $note: String) {
  decideActions(input: { decision: $decision, actionIds: $ids, note: $note }) { result { id status } } }`);

/** The variables of the queue's filters, as the SQL functions take them. */
export function filterVariables(filters: QueueFilters, upToId: number | null) {
  return {
    search: filters.search.trim() || null,
    status: ACTION_STATUSES.find((status) => status === filters.status) ?? null,
    tier: filters.tier ? tierOf(Number(filters.tier)) : null,
    type: filters.type || null,
    upToId: upToId === null ? null : String(upToId),
  };
}
