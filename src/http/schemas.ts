import { z } from "zod";
import { EXECUTION_MODES, NOT_NOW_DECISIONS } from "../vocabulary.ts";

/** Ids are bigints in the database; JSON clients may send them as numbers or digit strings. */
const Id = z
  .union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^[1-9]\d{0,15}$/)])
  .transform((value) => Number(value))
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
  .meta({ description: "A positive integer id (a number, or a string of digits)" });

/**
 * Why a person overrides something: recorded verbatim in the audit trail, one or more lines of text.
 * Control characters other than tab and line breaks (NUL above all, which PostgreSQL cannot store) are
 * refused.
 */
const Reason = z
  .string()
  .max(2000)
  .refine((reason) => reason.trim() !== "", "a reason is required")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  .refine((reason) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(reason), {
    message: "the reason may not contain control characters such as NUL (U+0000)",
  });

export const ExecuteRequest = z
  .strictObject({
    actionId: Id,
    force: z
      .boolean()
      .optional()
      .meta({
        description:
          "Override the guards that judge the action: approval (a Tier 2 action is then approved by the caller), " +
          "confidence and impact thresholds, rate limits and daily caps, the recent-edit wait, cooldown, " +
          "circuit breaker, expiry and attempts. Not overridden: the global switch and a disabled action type " +
          "(409), and dry run (the forced execution is a dry run). A Tier 3 action is refused regardless. " +
          "Needs `reason`.",
      }),
    reason: Reason.optional().meta({
      description:
        "Why the action is forced (required with force, at most 2000 characters); kept in the log and audit trail.",
    }),
  })
  .refine((request) => !request.force || request.reason !== undefined, {
    message: "a reason is required to force an execution",
    path: ["reason"],
  })
  .meta({ id: "ExecuteRequest", description: "Execute one action now." });

export const RollbackRequest = z
  .strictObject({
    executionLogId: Id,
    reason: Reason,
    force: z
      .boolean()
      .optional()
      .meta({ description: "Roll back even though the content changed since (admins only); see conflicts." }),
  })
  .meta({ id: "RollbackRequest", description: "Undo one execution." });

/** Any JSON value (action data, handler output, rollback data). */
const Json = z.unknown();

export const ExecutionLog = z
  .strictObject({
    id: z.number().int(),
    actionId: z.number().int(),
    actionType: z.string(),
    executionTier: z.number().int(),
    rateLimitKey: z.string().nullable(),
    executedAt: z.string(),
    executedBy: z
      .string()
      .meta({ description: "'auto', 'approved', or the id of the user who ran it by hand" }),
    mode: z.enum(EXECUTION_MODES),
    attempt: z.number().int(),
    inputData: Json,
    // Any JSON value includes null: no `nullable` (it would be an illogical anyOf in the document).
    outputData: Json.meta({ description: "What the handler returned; null when it failed" }),
    success: z.boolean(),
    errorMessage: z.string().nullable(),
    durationMs: z.number().int(),
    rollbackData: Json.meta({ description: "What a rollback needs; null when purged or not rollbackable" }),
    rollbackDataPurgedAt: z.string().nullable(),
    rolledBackAt: z.string().nullable(),
    rolledBackBy: z.string().nullable(),
    rollbackReason: z.string().nullable(),
    rollbackForced: z.boolean().nullable(),
    forced: z.boolean().meta({ description: "An admin forced this execution past the guards (executedBy)" }),
    forceReason: z.string().nullable().meta({ description: "Why it was forced; null when it was not" }),
  })
  .meta({ id: "ExecutionLog", description: "One execution attempt (PRD-18's ExecutionLog)." });

export const ErrorResponse = z
  .object({ success: z.literal(false), error: z.string() })
  .loose()
  .meta({ id: "Error", description: "Every refusal: a message for people; never SQL or a stack trace." });

export const ExecuteResponse = z
  .object({
    success: z.boolean(),
    executionLog: ExecutionLog.optional(),
    error: z.string().optional(),
    decision: z.enum(NOT_NOW_DECISIONS).optional().meta({
      description:
        "Why nothing ran: defer (later, see retryAt), wait, end, skip, review (the approved change moved on).",
    }),
    retryAt: z.string().nullable().optional(),
  })
  .meta({ id: "ExecuteResponse" });

export const RollbackResponse = z
  .object({
    success: z.boolean(),
    error: z.string().optional(),
    conflicts: z.array(z.string()).optional().meta({
      description: "How the content changed since the execution; roll back with force to override.",
    }),
    executionLogId: z.number().int().optional(),
    actionId: z.number().int().optional(),
    forced: z.boolean().optional(),
  })
  .meta({ id: "RollbackResponse" });

export const StatsQuery = z.strictObject({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: "Start of the range (ISO 8601); default: 30 days before `to`" }),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: "End of the range (exclusive); default: now" }),
  recent: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .meta({ description: "How many recent executions (default 20, at most 100)" }),
});

const Count = z.number().int().min(0);
const TimeToExecute = z.strictObject({
  executions: Count,
  p50Seconds: z.number().nullable(),
  p95Seconds: z.number().nullable(),
});
const TimeToDecision = z.strictObject({
  decisions: Count,
  p50Seconds: z.number().nullable(),
  p95Seconds: z.number().nullable(),
});
const ReviewTime = TimeToDecision.extend({
  byType: z.record(z.string(), TimeToDecision),
  automatedDecisions: Count.meta({
    description: "Tier 1 actions executed live on their own: decisions saved",
  }),
  savedSeconds: z
    .number()
    .nullable()
    .meta({ description: "automatedDecisions × the median time to decision" }),
  savedShare: z
    .number()
    .nullable()
    .meta({ description: "automatedDecisions / (automatedDecisions + decisions), PRD target ≥ 0.5" }),
  target: z.number(),
});

export const StatsResponse = z
  .strictObject({
    today: z.strictObject({
      autoExecuted: Count,
      approvedExecuted: Count,
      failed: Count,
      rolledBack: Count,
      manualExecuted: Count,
      dryRuns: Count,
      since: z.string().meta({ description: "Start of today (UTC)" }),
    }),
    byType: z.record(
      z.string(),
      // attempts: every live attempt, failed ones included (succeeded + failed = attempts).
      z.strictObject({ attempts: Count, succeeded: Count, failed: Count, rolledBack: Count }),
    ),
    recentExecutions: z.array(ExecutionLog),
    range: z.strictObject({ from: z.string(), to: z.string() }),
    metrics: z
      .strictObject({
        executions: Count,
        succeeded: Count,
        failed: Count,
        rolledBack: Count,
        successRate: z
          .number()
          .nullable()
          .meta({ description: "succeeded / executions (live), PRD target > 0.95" }),
        rollbackRate: z
          .number()
          .nullable()
          .meta({ description: "rolledBack / succeeded, PRD target < 0.05" }),
        tier1TimeToExecute: TimeToExecute.meta({
          description: "Tier 1 run automatically: created_at to executed_at, seconds (target < 15 min)",
        }),
        tier2TimeToExecute: TimeToExecute.meta({
          description: "Tier 2 run after approval: reviewed_at to executed_at, seconds (target < 1 h)",
        }),
        reviewTime: ReviewTime.meta({
          description:
            "Proposal to an admin's approval or rejection, seconds (p50/p95, per type), and the review time Tier 1 saved",
        }),
      })
      .meta({ description: "PRD-18's success metrics over the range (live executions)" }),
  })
  .meta({ id: "ExecutionStats" });
