// The queue page's GraphQL documents (issue 14 part 4): search, counts, select-all, bulk decisions.
import { ACTION_FIELDS, type ActionRow } from "./queries.ts";
import { tierOf } from "./vocabulary.ts";

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

export interface QueueCounts {
  matching: number;
  capped: boolean;
  newer: number;
  newerCapped: boolean;
  cap: number;
  latestId: number | null;
}

export interface QueueData {
  searchActionsList: ActionRow[];
  countActions: QueueCounts;
}

const FILTER_ARGS = "search: $search, status: $status, tier: $tier, type: $type, upToId: $upToId";
const FILTER_VARS = "$search: String, $status: ActionStatus, $tier: Tier, $type: String, $upToId: BigInt";

export const QUEUE_PAGE = `query QueuePage(${FILTER_VARS}, $sort: String, $size: Int, $offset: Int) {
  searchActionsList(${FILTER_ARGS}, sort: $sort, pageSize: $size, pageOffset: $offset) { ${ACTION_FIELDS} }
  countActions(${FILTER_ARGS})
}`;

export const MATCHING_IDS = `query MatchingIds(${FILTER_VARS}) { matchingActionIds(${FILTER_ARGS}) }`;

export type BulkDecision = "approve" | "reject" | "retry";

export const DECIDE_MANY = `mutation DecideMany($decision: String!, $ids: [BigInt]!, $note: String) {
  decideActions(input: { decision: $decision, actionIds: $ids, note: $note }) { result { id status } } }`;

export const RETRY = `mutation Retry($id: BigInt!, $note: String) {
  retryAction(input: { actionId: $id, note: $note }) { result { id status statusReason } } }`;

/** The variables of the queue's filters, as the SQL functions take them. */
export function filterVariables(filters: QueueFilters, upToId: number | null) {
  return {
    search: filters.search.trim() || null,
    status: filters.status || null,
    tier: filters.tier ? tierOf(Number(filters.tier)) : null,
    type: filters.type || null,
    upToId,
  };
}
