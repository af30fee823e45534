// The history page's executions list with a capped count (allExecutionLogs' totalCount counts every
// matching row: a million of them took longer than the page itself).
import { graphql } from "./graphql.ts";
import { LogFields } from "./queries.ts";

export const HISTORY_LOGS = graphql(
  `query HistoryLogs($condition: ExecutionLogCondition, $first: Int!, $offset: Int!,
    $kind: ExecutedByKind, $mode: ExecutionMode, $success: Boolean, $type: String) {
    allExecutionLogs(condition: $condition, first: $first, offset: $offset, orderBy: ID_DESC) {
      pageInfo { hasNextPage hasPreviousPage } nodes { ...LogFields }
    }
    countExecutionLogs(executedByKind: $kind, mode: $mode, success: $success, actionType: $type)
  }`,
  [LogFields],
);

/** countExecutionLogs (JSON): how many executions match, counted up to `cap`. */
export interface LogCount {
  matching: number;
  capped: boolean;
  cap: number;
}
