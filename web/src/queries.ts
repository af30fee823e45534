// The GraphQL documents the UI sends. Their answers' types are inferred from the schema (graphql.ts);
// only what the schema calls JSON (a function's jsonb answer) has its shape written here.
import { graphql, type ResultOf } from "./graphql.ts";
import type { Fields } from "./review-queries.ts";

/** What the queue rows and the action page read about an action. */
export const ActionFields = graphql(`
  fragment ActionFields on Action {
    id type status executionTier confidence estimatedRevenueImpact statusReason deferredUntil forecast
    expiresAt createdAt executedAt reviewedBy reviewedAt reviewNote changeSummary subject reviewDeadline
  }
`);
export type ActionRow = ResultOf<typeof ActionFields>;

export const ActionTypeFields = graphql(`
  fragment ActionTypeFields on ActionType { type tier description mode dailyCap }
`);
export type ActionTypeRow = ResultOf<typeof ActionTypeFields>;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** autoexec.waiting_line_forecast() (JSON): the line for rate-limit slots, if nothing changes. */
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

export const WAITING_LINE = graphql("query WaitingLine { waitingLineForecast }");

export const ACTION_TYPES = graphql(
  `query ActionTypes { allActionTypes(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { ...ActionTypeFields } } }`,
  [ActionTypeFields],
);

export const LogFields = graphql(`
  fragment LogFields on ExecutionLog {
    id actionId actionType executionTier executedAt executedBy mode attempt inputData outputData success
    errorMessage durationMs rollbackData rolledBackAt rolledBackBy rollbackReason rollbackDataPurgedAt
    rollbackForced diff
  }
`);
export type ExecutionLogRow = ResultOf<typeof LogFields>;

/** ExecutionLog.diff (JSON): what the execution changed (null for failures and older executions). */
export type ExecutionDiffValue = { before: Fields; after: Fields } | null;

export const ACTION_DETAIL = graphql(
  `query ActionDetail($id: BigInt!) {
    actionById(id: $id) {
      ...ActionFields actionData executionResult executionAttempts lastAttemptAt rateLimitKey idempotencyKey
      proposedBy updatedAt actionTypeByType { description }
      executionLogsByActionId(first: 100, orderBy: ID_DESC) { totalCount nodes { ...LogFields } }
    }
    allActionHistories(condition: { actionId: $id }, first: 100, orderBy: AT_ASC) {
      nodes { at event actor details }
    }
  }`,
  [ActionFields, LogFields],
);

const ActionResult = graphql(`fragment ActionResult on Action { id status statusReason }`);

export const APPROVE = graphql(
  `mutation Approve($id: BigInt!, $note: String) {
    approveAction(input: { actionId: $id, note: $note }) { result { ...ActionResult } } }`,
  [ActionResult],
);
export const REJECT = graphql(
  `mutation Reject($id: BigInt!, $reason: String!) {
    rejectAction(input: { actionId: $id, reason: $reason }) { result { ...ActionResult } } }`,
  [ActionResult],
);
export const MARK_IMPLEMENTED = graphql(
  `mutation MarkImplemented($id: BigInt!, $note: String!) {
    markActionImplemented(input: { actionId: $id, note: $note }) { result { ...ActionResult } } }`,
  [ActionResult],
);
export const RETRY = graphql(
  `mutation Retry($id: BigInt!, $note: String) {
    retryAction(input: { actionId: $id, note: $note }) { result { ...ActionResult } } }`,
  [ActionResult],
);

const IntervalFields = graphql(
  `fragment IntervalFields on Interval { years months days hours minutes seconds }`,
);

/** Every setting the settings page shows, as the page reads them and a save answers them. */
export const SettingsFields = graphql(
  `fragment SettingsFields on Setting {
    enabled dryRun minConfidence minRevenueImpact hourlyLimit dailyLimit rateLimitKeyLimit
    rateLimitKeyWindow { ...IntervalFields } recentEditWindow { ...IntervalFields } failuresBeforeCooldown
    cooldown { ...IntervalFields } breakerWindow breakerMinExecutions breakerFailureRate maxAttempts
    approvalTtl { ...IntervalFields } rollbackRetention { ...IntervalFields } webhookUrl
    staleJobAfter { ...IntervalFields } typeBreakerWindow typeBreakerMinExecutions typeBreakerFailureRate
    breakerProbes confidentMinConfidence confidentHourlyLimit confidentDailyLimit
    pendingTtl { ...IntervalFields } siteUrl updatedAt
  }`,
  [IntervalFields],
);
export type Settings = ResultOf<typeof SettingsFields>;

export const EngineFields = graphql(`
  fragment EngineFields on EngineState {
    breakerOpen breakerOpenedAt breakerReason breakerResetAt breakerResetBy breakerResetReason
    consecutiveFailures cooldownUntil cooldownStartedAt probesLeft
  }
`);
export type EngineState = ResultOf<typeof EngineFields>;

const TypeBreakerFields = graphql(`
  fragment TypeBreakerFields on TypeBreaker {
    type breakerOpen breakerOpenedAt breakerReason breakerResetAt breakerResetBy breakerResetReason probesLeft
  }
`);
/** An action type's own circuit breaker (autoexec.type_breakers). */
export type TypeBreaker = ResultOf<typeof TypeBreakerFields>;

export const ENGINE_STATUS = graphql(
  `query EngineStatus {
    currentSettings { enabled dryRun failuresBeforeCooldown }
    circuitBreaker { ...EngineFields }
    openFreezeWindows(first: 5) { nodes { startsAt endsAt reason } }
  }`,
  [EngineFields],
);

export const SETTINGS_PAGE = graphql(
  `query SettingsPage {
    currentSettings { ...SettingsFields }
    allSettingLimitsList { name minimum minimumExclusive maximum pattern patternInWords }
    circuitBreaker { ...EngineFields }
    allActionTypes(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { ...ActionTypeFields } }
    allTypeBreakers(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { ...TypeBreakerFields } }
  }`,
  [SettingsFields, EngineFields, ActionTypeFields, TypeBreakerFields],
);
/** A setting's bounds as the server states them (autoexec.setting_limits; intervals in seconds). */
export type SettingLimit = NonNullable<ResultOf<typeof SETTINGS_PAGE>["allSettingLimitsList"]>[number];

export const CLEAR_COOLDOWN = graphql(
  `mutation ClearCooldown($reason: String!) {
    clearCooldown(input: { reason: $reason }) { result { ...EngineFields } } }`,
  [EngineFields],
);
export const RESET_BREAKER = graphql(
  `mutation ResetBreaker($reason: String!) {
    resetCircuitBreaker(input: { reason: $reason }) { result { ...EngineFields } } }`,
  [EngineFields],
);
export const RESET_TYPE_BREAKER = graphql(`mutation ResetTypeBreaker($reason: String!, $type: String!) {
  resetCircuitBreaker(input: { reason: $reason, type: $type }) { clientMutationId } }`);

export const AuditEventFields = graphql(`
  fragment AuditEventFields on AuditEvent {
    id occurredAt actor action subjectType subjectId oldValues newValues note
  }
`);
export type AuditEvent = ResultOf<typeof AuditEventFields>;

export const AUDIT_TRAIL = graphql(
  `query AuditTrail($condition: AuditEventCondition, $first: Int!, $offset: Int!) {
    allAuditEvents(condition: $condition, first: $first, offset: $offset, orderBy: ID_DESC) {
      totalCount pageInfo { hasNextPage hasPreviousPage } nodes { ...AuditEventFields }
    }
  }`,
  [AuditEventFields],
);

/** The fields of executionStats the history page shows (every figure but the recent executions). */
export const StatsFields = graphql(`
  fragment StatsFields on ExecutionStatistic {
    today { autoExecuted approvedExecuted manualExecuted dryRuns failed rolledBack }
    byType { type attempts succeeded failed rolledBack }
    metrics {
      executions succeeded failed rolledBack successRate rollbackRate
      tier1TimeToExecute { executions p50Seconds p95Seconds }
      tier2TimeToExecute { executions p50Seconds p95Seconds }
      reviewTime {
        decisions p50Seconds p95Seconds automatedDecisions savedSeconds savedShare target
        byType { type decisions p50Seconds p95Seconds }
      }
    }
  }
`);

/** The history page's metrics and charts: the stats over 30 days and the daily series, in one request. */
export const CHARTS = graphql(
  `query Charts($rangeStart: Datetime!, $rangeEnd: Datetime!, $dailyStart: Datetime!, $dryRuns: Boolean) {
    range: executionStats(rangeStart: $rangeStart, rangeEnd: $rangeEnd, recentLimit: 0) { ...StatsFields }
    daily: executionDaily(rangeStart: $dailyStart, rangeEnd: $rangeEnd, includeDryRuns: $dryRuns)
  }`,
  [StatsFields],
);
/** GraphQL executionStats (autoexec.execution_statistics), the fields the history page shows. */
export type ExecutionStats = ResultOf<typeof StatsFields>;
/** Proposal to decision, and the decisions Tier 1 took off the admins. */
export type ReviewTime = NonNullable<NonNullable<ExecutionStats["metrics"]>["reviewTime"]>;

/** autoexec.execution_daily() (JSON, GraphQL executionDaily): the history page's charts. */
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

// In force or planned (the ones over or cancelled are in the audit list).
export const FREEZE_WINDOWS = graphql(`query FreezeWindows {
  openFreezeWindows(first: 50) { nodes { id startsAt endsAt reason createdBy } } }`);
export type FreezeWindow = NonNullable<
  NonNullable<ResultOf<typeof FREEZE_WINDOWS>["openFreezeWindows"]>["nodes"][number]
>;
export const ADD_FREEZE =
  graphql(`mutation AddFreeze($startsAt: Datetime!, $endsAt: Datetime!, $reason: String!) {
  addFreezeWindow(input: { startsAt: $startsAt, endsAt: $endsAt, reason: $reason }) { result { id } } }`);
export const CANCEL_FREEZE = graphql(`mutation CancelFreeze($id: BigInt!, $reason: String!) {
  cancelFreezeWindow(input: { id: $id, reason: $reason }) { result { id } } }`);

/** PRD-18 phase 1's shadow report (autoexec.shadow_report(), JSON). */
export const SHADOW = graphql(`query Shadow($rangeStart: Datetime!, $rangeEnd: Datetime!) {
  shadowReport(rangeStart: $rangeStart, rangeEnd: $rangeEnd)
}`);
