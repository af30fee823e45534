import { print } from "postgraphile/graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExecutionHistory } from "../bench/lib/history.ts";
import { StatsResponse } from "../src/http/schemas.ts";
import { type ExecutionStats, StatsFields } from "../web/src/queries.ts";
import { createTestDatabase, databaseForTests, type TestDatabase } from "./support/db.ts";
import { apiForTests, createTestApi, type TestApi } from "./support/http.ts";
import { nearPercentile } from "./support/percentiles.ts";

function omitSince({ since: _since, ...counts }: Record<string, unknown>) {
  return counts;
}

const db = databaseForTests();
const api = apiForTests(db);

interface Row {
  name: string;
  type?: string;
  createdAt?: string;
  reviewedAt?: string;
  executedAt: string;
  executedBy: string;
  mode?: "live" | "dry_run";
  success?: boolean;
  rolledBackAt?: string;
}

const ids: Record<string, number> = {};

/** One action and one execution log per row, with every timestamp as given (time moved in the data). */
async function seed(rows: Row[]) {
  for (const row of rows) {
    const type = row.type ?? "ADD_AFFILIATE_LINK";
    const { rows: inserted } = await db.pool.query<{ id: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       values ($1, '{}', 0.9, 1) returning id`,
      [type],
    );
    const actionId = inserted[0]?.id as number;
    await db.pool.query(
      "update autoexec.actions set created_at = $2, reviewed_at = $3, status = 'EXECUTED' where id = $1",
      [actionId, row.createdAt ?? row.executedAt, row.reviewedAt ?? null],
    );
    const { rows: logs } = await db.pool.query<{ id: number }>(
      `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
         attempt, input_data, success, error_message, duration_ms)
       select id, type, execution_tier, $2, $3, $4, 1, '{}', $5, case when $5 then null else 'failed' end, 1
       from autoexec.actions where id = $1 returning id`,
      [actionId, row.executedAt, row.executedBy, row.mode ?? "live", row.success ?? true],
    );
    ids[row.name] = logs[0]?.id as number;
    if (row.rolledBackAt) {
      await db.pool.query(
        "update autoexec.execution_logs set rolled_back_at = $2, rolled_back_by = 'carol', rollback_reason = 'test' where id = $1",
        [ids[row.name], row.rolledBackAt],
      );
    }
  }
}

describe("the execution stats, against hand-computed figures", () => {
  beforeAll(async () => {
    await seed([
      // Tier 1, run by the engine: 60 s, 300 s, 600 s and 3600 s from creation to execution.
      {
        name: "A1",
        createdAt: "2026-01-02T10:00:00Z",
        executedAt: "2026-01-02T10:01:00Z",
        executedBy: "auto",
      },
      {
        name: "A2",
        createdAt: "2026-01-02T10:00:00Z",
        executedAt: "2026-01-02T10:05:00Z",
        executedBy: "auto",
        rolledBackAt: "2026-01-05T00:00:00Z",
      },
      {
        name: "A3",
        createdAt: "2026-01-02T10:00:00Z",
        executedAt: "2026-01-02T10:10:00Z",
        executedBy: "auto",
      },
      {
        name: "A4",
        createdAt: "2026-01-02T10:00:00Z",
        executedAt: "2026-01-02T11:00:00Z",
        executedBy: "auto",
      },
      { name: "F1", executedAt: "2026-01-02T12:00:00Z", executedBy: "auto", success: false },
      // Tier 2, run after approval: 120 s and 600 s from approval to execution.
      {
        name: "B1",
        type: "EXPAND_CONTENT",
        createdAt: "2026-01-01T00:00:00Z",
        reviewedAt: "2026-01-03T09:00:00Z",
        executedAt: "2026-01-03T09:02:00Z",
        executedBy: "approved",
      },
      {
        name: "B2",
        type: "EXPAND_CONTENT",
        createdAt: "2026-01-01T00:00:00Z",
        reviewedAt: "2026-01-03T09:00:00Z",
        executedAt: "2026-01-03T09:10:00Z",
        executedBy: "approved",
      },
      // Forced by a user: counted, but not in the engine's time to execute.
      {
        name: "C1",
        createdAt: "2025-12-01T00:00:00Z",
        executedAt: "2026-01-04T08:00:00Z",
        executedBy: "bob",
      },
      // A dry run: not a live execution.
      { name: "D1", executedAt: "2026-01-04T09:00:00Z", executedBy: "auto", mode: "dry_run" },
      // Outside [2026-01-01, 2026-01-08): the end is exclusive.
      { name: "E1", executedAt: "2025-12-31T23:59:59Z", executedBy: "auto" },
      { name: "E2", executedAt: "2026-01-08T00:00:00Z", executedBy: "auto", success: false },
    ]);
    // Today: one of each kind, and one rolled back today.
    const now = new Date().toISOString();
    await seed([
      { name: "T1", executedAt: now, executedBy: "auto", rolledBackAt: now },
      { name: "T2", type: "EXPAND_CONTENT", reviewedAt: now, executedAt: now, executedBy: "approved" },
      { name: "T3", executedAt: now, executedBy: "auto", success: false },
      { name: "T4", executedAt: now, executedBy: "auto", mode: "dry_run" },
      { name: "T5", executedAt: now, executedBy: "dave" },
    ]);
  });

  it("matches the figures computed by hand, through REST", async () => {
    const answer = await api.rest(
      "GET",
      "/api/monetization/execution/stats?from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z&recent=3",
      { token: await api.token("viewer") },
    );
    expect(answer.status).toBe(200);
    const stats = StatsResponse.parse(answer.body);
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    expect(new Date(stats.today.since).getTime()).toBe(midnight.getTime());
    expect(stats.today).toMatchObject({
      autoExecuted: 1,
      approvedExecuted: 1,
      manualExecuted: 1,
      dryRuns: 1,
      failed: 1,
      rolledBack: 1,
    });
    expect(new Date(stats.range.from).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(new Date(stats.range.to).toISOString()).toBe("2026-01-08T00:00:00.000Z");
    // Live executions in range: A1-A4, F1, B1, B2, C1 = 8; 7 succeeded; A2 rolled back.
    expect(stats.metrics).toEqual({
      executions: 8,
      succeeded: 7,
      failed: 1,
      rolledBack: 1,
      successRate: 0.875,
      rollbackRate: 0.1429, // 1 / 7
      // percentile_cont over 60, 300, 600, 3600: p50 = (300 + 600) / 2, p95 = 600 + 0.85 * 3000 (the
      // stats estimate them from histograms, within 4.4 %)
      tier1TimeToExecute: {
        executions: 4,
        p50Seconds: nearPercentile(450),
        p95Seconds: nearPercentile(3150),
      },
      // over 120, 600: p50 = 360, p95 = 120 + 0.95 * 480
      tier2TimeToExecute: { executions: 2, p50Seconds: nearPercentile(360), p95Seconds: nearPercentile(576) },
      // No admin decided anything here (test/admin-review.test.ts has decisions); A1-A4 ran on their own.
      reviewTime: {
        decisions: 0,
        p50Seconds: null,
        p95Seconds: null,
        byType: {},
        automatedDecisions: 4,
        savedSeconds: null,
        savedShare: 1,
        target: 0.5,
      },
    });
    expect(stats.byType).toEqual({
      ADD_AFFILIATE_LINK: { attempts: 6, succeeded: 5, failed: 1, rolledBack: 1 },
      EXPAND_CONTENT: { attempts: 2, succeeded: 2, failed: 0, rolledBack: 0 },
    });
    expect(stats.recentExecutions.map((log) => log.id)).toEqual([ids.D1, ids.C1, ids.B2]);
    expect(stats.recentExecutions[1]).toMatchObject({ executedBy: "bob", mode: "live", success: true });
  });

  it("gives the same figures through GraphQL, and nulls where there is nothing to measure", async () => {
    const stats = (range: string) => `executionStats(${range}) { ...StatsFields recentExecutions { id } }`;
    const { body } = await api.graphql(
      `{ a: ${stats('rangeStart: "2026-01-01T00:00:00Z", rangeEnd: "2026-01-08T00:00:00Z", recentLimit: 3')}
         b: ${stats('rangeStart: "2020-01-01T00:00:00Z", rangeEnd: "2020-02-01T00:00:00Z"')} }
       ${print(StatsFields)}`,
    );
    const rest = await api.rest(
      "GET",
      "/api/monetization/execution/stats?from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z&recent=3",
    );
    // Typed objects: REST's maps by type are lists with the type as a field (sorted by type).
    const a = body.data?.a as ExecutionStats & { recentExecutions: { id: number }[] };
    const listed = (byType: Record<string, object>) =>
      Object.entries(byType)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([type, figures]) => ({ type, ...figures }));
    expect(a.metrics).toEqual({
      ...rest.body.metrics,
      reviewTime: { ...rest.body.metrics.reviewTime, byType: listed(rest.body.metrics.reviewTime.byType) },
    });
    expect(a.byType).toEqual(listed(rest.body.byType));
    expect(a.today).toEqual(omitSince(rest.body.today));
    expect(a.recentExecutions.map((log) => Number(log.id)).sort()).toEqual(
      rest.body.recentExecutions.map((log: { id: number }) => log.id).sort(),
    );
    const empty = body.data?.b as ExecutionStats & { recentExecutions: unknown[] };
    expect(empty.metrics).toMatchObject({
      executions: 0,
      successRate: null,
      rollbackRate: null,
      tier1TimeToExecute: { executions: 0, p50Seconds: null, p95Seconds: null },
    });
    expect(empty.byType).toEqual([]);
    expect(empty.recentExecutions).toEqual([]);
  });

  it("defaults to the 30 days up to now", async () => {
    const answer = await api.rest("GET", "/api/monetization/execution/stats");
    const stats = StatsResponse.parse(answer.body);
    const days = (new Date(stats.range.to).getTime() - new Date(stats.range.from).getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(stats.metrics.executions).toBe(4); // T1, T2, T3, T5
  });
});

describe("with a million execution logs", () => {
  let big: TestDatabase;
  let bigApi: TestApi;
  beforeAll(async () => {
    big = await createTestDatabase();
    await loadExecutionHistory(big.pool, 1_000_000);
    bigApi = await createTestApi(big);
  }, 180_000);
  afterAll(async () => {
    await bigApi?.close();
    await big?.drop();
  });

  // How fast is measured by npm run bench (docs/BENCHMARKS.md); this checks the figures stay right.
  it("answers the default 30 days and a whole year with the right figures", async () => {
    const { rows } = await big.pool.query("select count(*)::int as n from autoexec.execution_logs");
    expect(rows[0].n).toBe(1_000_000);
    const fetchStats = async (query: string) => {
      const answer = await bigApi.rest("GET", `/api/monetization/execution/stats${query}`);
      expect(answer.status).toBe(200);
      return { stats: StatsResponse.parse(answer.body) };
    };
    const month = await fetchStats("");
    const yearAgo = new Date(Date.now() - 366 * 86_400_000).toISOString();
    const year = await fetchStats(`?from=${yearAgo}`);
    // One log every 31 s: about 83,600 in 30 days. Failures are 1 in 20 and dry runs 1 in 50, so of the
    // live ones (1 - 1/50) 1/20 - 1/100 fail: a success rate of 0.959.
    expect(month.stats.metrics.executions).toBeGreaterThan(80_000);
    expect(month.stats.metrics.successRate).toBeCloseTo(0.959, 2);
    expect(month.stats.metrics.tier1TimeToExecute.p50Seconds).toEqual(nearPercentile(300));
    expect(month.stats.metrics.tier2TimeToExecute.p50Seconds).toEqual(nearPercentile(120));
    expect(year.stats.metrics.executions).toBe(980_000);
  }, 120_000);
});
