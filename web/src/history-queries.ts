// The history page's executions list with a capped count (allExecutionLogs' totalCount counts every
// matching row: a million of them took longer than the page itself).
import { type ExecutionLogRow, LOG_FIELDS } from "./queries.ts";

export const HISTORY_LOGS = `query HistoryLogs($condition: ExecutionLogCondition, $first: Int!, $offset: Int!,
  $kind: ExecutedByKind, $mode: ExecutionMode, $success: Boolean, $type: String) {
  allExecutionLogs(condition: $condition, first: $first, offset: $offset, orderBy: ID_DESC) {
    pageInfo { hasNextPage hasPreviousPage } nodes { ${LOG_FIELDS} }
  }
  countExecutionLogs(executedByKind: $kind, mode: $mode, success: $success, actionType: $type)
}`;

export interface HistoryLogs {
  allExecutionLogs: { nodes: ExecutionLogRow[]; pageInfo: { hasNextPage: boolean } };
  countExecutionLogs: { matching: number; capped: boolean; cap: number };
}
