// The GraphQL documents the UI sends, with the shapes it reads. BigInt and BigFloat arrive as strings.
import type { Interval } from "./format.ts";
import { type Fields, REVIEW_FIELDS, type ReviewFields } from "./review-queries.ts";
import type { ActionStatus, ActionTypeMode, ExecutionMode, Tier } from "./vocabulary.ts";

export interface ActionTypeRow {
  type: string;
  tier: Tier;
  description: string;
  mode: ActionTypeMode;
  dailyCap: number | null;
}

export interface ActionRow extends Partial<ReviewFields> {
  id: string;
  type: string;
  status: ActionStatus;
  executionTier: Tier;
  confidence: string;
  estimatedRevenueImpact: string;
  statusReason: string | null;
  deferredUntil: string | null;
  /** In line for a rate-limit slot: "#4 of 312 in line; expected around 14:03 UTC" (else null). */
  forecast: string | null;
  expiresAt: string | null;
  createdAt: string;
  executedAt: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  pageInfo: PageInfo;
}

export const ACTION_FIELDS = `id type status executionTier confidence estimatedRevenueImpact statusReason deferredUntil
  forecast expiresAt createdAt executedAt reviewedBy reviewedAt reviewNote ${REVIEW_FIELDS}`;

/** autoexec.waiting_line_forecast(): the line for rate-limit slots, if nothing changes. */
export interface LineForecast {
  waiting: number;
  hourlyLimit: number;
  dailyLimit: number;
  heldBy: string | null;
  nextSlotAt: string | null;
  runsToday: number;
  drainsAt: string | null;
  drainsAtText: string | null;
}

export const WAITING_LINE = "query WaitingLine { waitingLineForecast }";

export const ACTION_TYPES = `query ActionTypes { allActionTypes(first: 100, orderBy: PRIMARY_KEY_ASC) {
  nodes { type tier description mode dailyCap } } }`;

export const QUEUE = `query Queue($condition: ActionCondition, $first: Int!, $offset: Int!) {
  allActions(condition: $condition, first: $first, offset: $offset, orderBy: ID_DESC) {
    totalCount pageInfo { hasNextPage hasPreviousPage } nodes { ${ACTION_FIELDS} }
  }
}`;

export interface ExecutionLogRow {
  id: string;
  actionId: string;
  actionType: string;
  executionTier: Tier;
  executedAt: string;
  executedBy: string;
  mode: ExecutionMode;
  attempt: number;
  inputData: unknown;
  outputData: unknown;
  success: boolean;
  errorMessage: string | null;
  durationMs: number;
  rollbackData: unknown;
  rolledBackAt: string | null;
  rolledBackBy: string | null;
  rollbackReason: string | null;
  rollbackDataPurgedAt: string | null;
  rollbackForced: boolean | null;
  /** What the execution changed: {before, after} (null for failures and older executions). */
  diff: { before: Fields; after: Fields } | null;
}

export const LOG_FIELDS = `id actionId actionType executionTier executedAt executedBy mode attempt inputData outputData
  success errorMessage durationMs rollbackData rolledBackAt rolledBackBy rollbackReason rollbackDataPurgedAt
  rollbackForced diff`;

export const ACTION_DETAIL = `query ActionDetail($id: BigInt!) {
  actionById(id: $id) {
    ${ACTION_FIELDS} actionData executionResult executionAttempts lastAttemptAt rateLimitKey idempotencyKey
    proposedBy updatedAt actionTypeByType { description }
    executionLogsByActionId(first: 100, orderBy: ID_DESC) { totalCount nodes { ${LOG_FIELDS} } }
  }
  allActionHistories(condition: { actionId: $id }, first: 100, orderBy: AT_ASC) {
    nodes { at event actor details }
  }
}`;

export interface ActionDetail extends ActionRow {
  actionData: unknown;
  executionResult: unknown;
  executionAttempts: number;
  lastAttemptAt: string | null;
  rateLimitKey: string | null;
  idempotencyKey: string | null;
  proposedBy: string;
  updatedAt: string;
  actionTypeByType: { description: string } | null;
  executionLogsByActionId: { totalCount: number; nodes: ExecutionLogRow[] };
}

export interface HistoryEvent {
  at: string;
  event: string;
  actor: string;
  details: Record<string, unknown> | null;
}

export const EXECUTION_LOGS = `query ExecutionLogs($condition: ExecutionLogCondition, $first: Int!, $offset: Int!) {
  allExecutionLogs(condition: $condition, first: $first, offset: $offset, orderBy: ID_DESC) {
    totalCount pageInfo { hasNextPage hasPreviousPage } nodes { ${LOG_FIELDS} }
  }
}`;

const ACTION_RESULT = `result { id status statusReason }`;

export const APPROVE = `mutation Approve($id: BigInt!, $note: String) {
  approveAction(input: { actionId: $id, note: $note }) { ${ACTION_RESULT} } }`;
export const APPROVE_MANY = `mutation ApproveMany($ids: [BigInt]!, $note: String) {
  approveActions(input: { actionIds: $ids, note: $note }) { ${ACTION_RESULT} } }`;
export const REJECT = `mutation Reject($id: BigInt!, $reason: String!) {
  rejectAction(input: { actionId: $id, reason: $reason }) { ${ACTION_RESULT} } }`;
export const MARK_IMPLEMENTED = `mutation MarkImplemented($id: BigInt!, $note: String!) {
  markActionImplemented(input: { actionId: $id, note: $note }) { ${ACTION_RESULT} } }`;

export interface Settings {
  enabled: boolean;
  dryRun: boolean;
  minConfidence: string;
  minRevenueImpact: string;
  hourlyLimit: number;
  dailyLimit: number;
  rateLimitKeyLimit: number;
  rateLimitKeyWindow: Interval;
  recentEditWindow: Interval;
  failuresBeforeCooldown: number;
  cooldown: Interval;
  breakerWindow: number;
  breakerMinExecutions: number;
  breakerFailureRate: string;
  maxAttempts: number;
  approvalTtl: Interval;
  rollbackRetention: Interval;
  webhookUrl: string | null;
  staleJobAfter: Interval;
  typeBreakerWindow: number;
  typeBreakerMinExecutions: number;
  typeBreakerFailureRate: string;
  breakerProbes: number;
  confidentMinConfidence: string | null;
  confidentHourlyLimit: number | null;
  confidentDailyLimit: number | null;
  pendingTtl: Interval;
  siteUrl: string;
  updatedAt: string;
}

export interface EngineState {
  breakerOpen: boolean;
  breakerOpenedAt: string | null;
  breakerReason: string | null;
  breakerResetAt: string | null;
  breakerResetBy: string | null;
  breakerResetReason: string | null;
  consecutiveFailures: number;
  cooldownUntil: string | null;
  cooldownStartedAt: string | null;
  probesLeft: number;
}

/** An action type's own circuit breaker (autoexec.type_breakers). */
export interface TypeBreaker {
  type: string;
  breakerOpen: boolean;
  breakerOpenedAt: string | null;
  breakerReason: string | null;
  breakerResetAt: string | null;
  breakerResetBy: string | null;
  breakerResetReason: string | null;
  probesLeft: number;
}

const INTERVAL = "{ years months days hours minutes seconds }";
const SETTINGS_FIELDS = `enabled dryRun minConfidence minRevenueImpact hourlyLimit dailyLimit rateLimitKeyLimit
  rateLimitKeyWindow ${INTERVAL} recentEditWindow ${INTERVAL} failuresBeforeCooldown cooldown ${INTERVAL}
  breakerWindow breakerMinExecutions breakerFailureRate maxAttempts approvalTtl ${INTERVAL}
  rollbackRetention ${INTERVAL} webhookUrl staleJobAfter ${INTERVAL} typeBreakerWindow typeBreakerMinExecutions
  typeBreakerFailureRate breakerProbes confidentMinConfidence confidentHourlyLimit confidentDailyLimit
  pendingTtl ${INTERVAL} siteUrl updatedAt`;
const ENGINE_FIELDS = `breakerOpen breakerOpenedAt breakerReason breakerResetAt breakerResetBy breakerResetReason
  consecutiveFailures cooldownUntil cooldownStartedAt probesLeft`;

export const ENGINE_STATUS = `query EngineStatus {
  currentSettings { enabled dryRun failuresBeforeCooldown }
  circuitBreaker { ${ENGINE_FIELDS} }
  openFreezeWindows(first: 5) { nodes { startsAt endsAt reason } }
}`;

export const SETTINGS_PAGE = `query SettingsPage {
  currentSettings { ${SETTINGS_FIELDS} }
  allSettingLimitsList { name minimum minimumExclusive maximum pattern patternInWords }
  circuitBreaker { ${ENGINE_FIELDS} }
  allActionTypes(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { type tier description mode dailyCap } }
  allTypeBreakers(first: 100, orderBy: PRIMARY_KEY_ASC) {
    nodes { type breakerOpen breakerOpenedAt breakerReason breakerResetAt breakerResetBy breakerResetReason probesLeft }
  }
}`;

export const UPDATE_SETTINGS = `mutation UpdateSettings($input: UpdateSettingsInput!) {
  updateSettings(input: $input) { result { ${SETTINGS_FIELDS} } } }`;
export const SET_TYPE_MODE = `mutation SetTypeMode($type: String!, $mode: ActionTypeMode!, $dailyCap: Int, $removeDailyCap: Boolean) {
  setActionTypeMode(input: { type: $type, mode: $mode, dailyCap: $dailyCap, removeDailyCap: $removeDailyCap }) {
    result { type mode dailyCap } } }`;
export const CLEAR_COOLDOWN = `mutation ClearCooldown($reason: String!) {
  clearCooldown(input: { reason: $reason }) { result { ${ENGINE_FIELDS} } } }`;
export const RESET_BREAKER = `mutation ResetBreaker($reason: String!) {
  resetCircuitBreaker(input: { reason: $reason }) { result { ${ENGINE_FIELDS} } } }`;
export const RESET_TYPE_BREAKER = `mutation ResetTypeBreaker($reason: String!, $type: String!) {
  resetCircuitBreaker(input: { reason: $reason, type: $type }) { clientMutationId } }`;
export const APPLY_PHASE = `mutation ApplyPhase($phase: Int!) {
  applyRolloutPhase(input: { phase: $phase }) { result { type mode dailyCap } } }`;

export interface AuditEvent {
  id: string;
  occurredAt: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  oldValues: Record<string, unknown> | null;
  newValues: Record<string, unknown> | null;
  note: string | null;
}

export const AUDIT = `query Audit($first: Int!, $offset: Int!) {
  allAuditEvents(first: $first, offset: $offset, orderBy: ID_DESC) {
    totalCount pageInfo { hasNextPage hasPreviousPage }
    nodes { id occurredAt actor action subjectType subjectId oldValues newValues note }
  }
}`;

/** GraphQL executionStats (autoexec.execution_statistics: typed; REST's JSON has byType as maps). */
export interface ExecutionStats {
  today: {
    autoExecuted: number;
    approvedExecuted: number;
    manualExecuted: number;
    dryRuns: number;
    failed: number;
    rolledBack: number;
  };
  byType: { type: string; attempts: number; succeeded: number; failed: number; rolledBack: number }[];
  metrics: {
    executions: number;
    succeeded: number;
    failed: number;
    rolledBack: number;
    successRate: number | null;
    rollbackRate: number | null;
    tier1TimeToExecute: { executions: number; p50Seconds: number | null; p95Seconds: number | null };
    tier2TimeToExecute: { executions: number; p50Seconds: number | null; p95Seconds: number | null };
    reviewTime: ReviewTime;
  };
}

/** The fields of executionStats the history page shows (every figure but the recent executions). */
export const STATS_FIELDS = `today { autoExecuted approvedExecuted manualExecuted dryRuns failed rolledBack }
    byType { type attempts succeeded failed rolledBack }
    metrics {
      executions succeeded failed rolledBack successRate rollbackRate
      tier1TimeToExecute { executions p50Seconds p95Seconds }
      tier2TimeToExecute { executions p50Seconds p95Seconds }
      reviewTime {
        decisions p50Seconds p95Seconds automatedDecisions savedSeconds savedShare target
        byType { type decisions p50Seconds p95Seconds }
      }
    }`;

/** The shape of autoexec.execution_daily() (GraphQL executionDaily): the history page's charts. */
export interface ExecutionDaily {
  days: {
    day: string;
    succeeded: number;
    failed: number;
    rolledBack: number;
    dryRuns: number;
    successRate: number | null;
  }[];
  byType: Record<
    string,
    { attempts: number; succeeded: number; failed: number; rolledBack: number; dryRuns: number }
  >;
  includeDryRuns: boolean;
}

/** Proposal to decision, and the decisions Tier 1 took off the admins (execution_stats metrics.reviewTime). */
export interface TimeToDecision {
  decisions: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
}
export interface ReviewTime extends TimeToDecision {
  byType: (TimeToDecision & { type: string })[];
  automatedDecisions: number;
  savedSeconds: number | null;
  savedShare: number | null;
  target: number;
}

/** The history page's metrics and charts: the stats over 30 days and the daily series, in one request. */
export const CHARTS = `query Charts($rangeStart: Datetime!, $rangeEnd: Datetime!, $dailyStart: Datetime!, $dryRuns: Boolean) {
  range: executionStats(rangeStart: $rangeStart, rangeEnd: $rangeEnd, recentLimit: 0) {
    ${STATS_FIELDS}
  }
  daily: executionDaily(rangeStart: $dailyStart, rangeEnd: $rangeEnd, includeDryRuns: $dryRuns)
}`;
