// Issue 14 parts 3-5 through GraphQL (and REST for the stats): the queue's search, sort, frozen list and
// counts; bulk decisions as one audit event; retrying a FAILED action; the review-time metrics; the
// charts' daily series with dry runs; the settings page's one save. Expectations are computed by hand
// from the fixtures below.
import { print } from "postgraphile/graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { StatsFields } from "../web/src/queries.ts";
import { createTestDatabase, databaseForTests } from "./support/db.ts";
import { amazonLink, insertAction, insertMod } from "./support/fixtures.ts";
import { apiForTests, createTestApi } from "./support/http.ts";
import { nearPercentile } from "./support/percentiles.ts";

const db = databaseForTests();
const api = apiForTests(db);

async function data(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await api.graphql(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data as Record<string, unknown>;
}

async function errorOf(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await api.graphql(query, variables);
  return body.errors?.[0]?.message;
}

const SEARCH = `query($search: String, $status: ActionStatus, $sort: String, $upToId: BigInt, $size: Int, $offset: Int) {
  searchActionsList(search: $search, status: $status, sort: $sort, upToId: $upToId, pageSize: $size, pageOffset: $offset) { id }
  countActions(search: $search, status: $status, upToId: $upToId)
}`;

async function search(variables: Record<string, unknown>) {
  const result = await data(SEARCH, variables);
  const ids = (result.searchActionsList as { id: string }[]).map((row) => Number(row.id));
  return { ids, counts: result.countActions as Record<string, unknown> };
}

describe("the queue for thousands", () => {
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    const tractor = await insertMod(db.pool, { slug: "tractor-mod", title: "Tractor Deluxe" });
    const crops = await insertMod(db.pool, { slug: "better-crops", title: "Better Crops" });
    // confidence × impact: a 0.9 × 10 = 9, b 0.5 × 30 = 15, c 0.95 × 2 = 1.9, d 0.6 × 20 = 12
    ids.a = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: tractor, content: "x" },
      confidence: 0.9,
      impact: 10,
      rateLimitKey: `mod:${tractor}`,
    });
    ids.b = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId: crops, position: "top", format: "banner" },
      confidence: 0.5,
      impact: 30,
      rateLimitKey: `mod:${crops}`,
    });
    ids.c = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: crops, content: "y" },
      confidence: 0.95,
      impact: 2,
      rateLimitKey: "partner:amazon",
    });
    ids.d = await insertAction(db.pool, {
      type: "CHANGE_PRICING",
      data: { product: "p" },
      confidence: 0.6,
      impact: 20,
    });
  });

  it("finds actions by #id, by mod title or slug, and by rate-limit key", async () => {
    expect((await search({ search: `#${ids.b}` })).ids).toEqual([ids.b]);
    expect((await search({ search: String(ids.c) })).ids).toEqual([ids.c]);
    expect((await search({ search: "tractor deluxe" })).ids).toEqual([ids.a]);
    expect((await search({ search: "better-cr" })).ids).toEqual([ids.c, ids.b]);
    expect((await search({ search: "partner:" })).ids).toEqual([ids.c]);
    expect((await search({ search: "mod:" })).ids).toEqual([ids.b, ids.a]);
    // LIKE wildcards in the search are literal characters.
    expect((await search({ search: "%" })).ids).toEqual([]);
  });

  it("sorts by value (confidence × impact), confidence, impact and age", async () => {
    const sorted = async (sort: string) => (await search({ sort })).ids;
    expect(await sorted("VALUE")).toEqual([ids.b, ids.d, ids.a, ids.c]);
    expect(await sorted("CONFIDENCE")).toEqual([ids.c, ids.a, ids.d, ids.b]);
    expect(await sorted("IMPACT")).toEqual([ids.b, ids.d, ids.a, ids.c]);
    expect(await sorted("NEWEST")).toEqual([ids.d, ids.c, ids.b, ids.a]);
    expect(await sorted("OLDEST")).toEqual([ids.a, ids.b, ids.c, ids.d]);
    expect((await search({ sort: "OLDEST", size: 2, offset: 2 })).ids).toEqual([ids.c, ids.d]);
    expect(await errorOf(SEARCH, { sort: "RANDOM" })).toBe(
      'sort is NEWEST, OLDEST, VALUE, CONFIDENCE or IMPACT, got "RANDOM"',
    );
    expect(await errorOf(SEARCH, { size: 1000 })).toBe("page_size is 1 to 100, got 1000");
    // GraphQL refuses a status outside the vocabulary before SQL runs (REST gets the function's own refusal).
    expect(await errorOf(SEARCH, { status: "DONE" })).toMatch(/"DONE".*ActionStatus/);
  });

  it("freezes the list at the newest action seen and counts the newer ones", async () => {
    const frozen = await search({});
    expect(frozen.counts).toMatchObject({ matching: 4, capped: false, newer: 0, latestId: ids.d });
    const upToId = Number(frozen.counts.latestId);
    const e = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool)),
      confidence: 0.99,
      impact: 99,
    });
    const after = await search({ upToId, sort: "VALUE" });
    expect(after.ids).toEqual([ids.b, ids.d, ids.a, ids.c]); // the new, most valuable one waits in the bar
    expect(after.counts).toMatchObject({ matching: 4, newer: 1, latestId: e });
    const ids2 = await data(
      "query($upToId: BigInt) { matchingActionIds(status: PENDING, upToId: $upToId) }",
      { upToId },
    );
    expect(ids2.matchingActionIds).toEqual([ids.a, ids.b, ids.c, ids.d].map(String));
  });

  it("rejects many with one reason in ONE audit event, shown on each action's timeline; all or nothing", async () => {
    const decide = `mutation($decision: String!, $ids: [BigInt]!, $note: String) {
      decideActions(input: { decision: $decision, actionIds: $ids, note: $note }) { result { id status } } }`;
    // d is Tier 3 but pending: it can be rejected; an unknown id spoils the whole batch.
    expect(await errorOf(decide, { decision: "reject", ids: [ids.a, 999_999], note: "dup" })).toBe(
      "action 999999 not found",
    );
    const before = await db.pool.query("select count(*)::int as n from autoexec.audit_events");
    const result = await data(decide, { decision: "reject", ids: [ids.c, ids.a], note: "not our style" });
    expect(result.decideActions).toEqual({
      result: [
        { id: String(ids.c), status: "REJECTED" },
        { id: String(ids.a), status: "REJECTED" },
      ],
    });
    const { rows } = await db.pool.query(
      "select actor, action, subject_type, new_values, note from autoexec.audit_events where id > 0 order by id desc limit 2",
    );
    const after = await db.pool.query("select count(*)::int as n from autoexec.audit_events");
    expect(after.rows[0].n - before.rows[0].n).toBe(1);
    expect(rows[0]).toEqual({
      actor: "alice",
      action: "actions.rejected",
      subject_type: "action_batch",
      new_values: { actionIds: [ids.c, ids.a], count: 2, statuses: { REJECTED: 2 } },
      note: "not our style",
    });
    const timeline = await data(
      "query($id: BigInt!) { allActionHistories(condition: { actionId: $id }, orderBy: AT_ASC) { nodes { event actor details } } }",
      { id: ids.c },
    );
    expect((timeline.allActionHistories as { nodes: unknown[] }).nodes).toContainEqual({
      event: "action.rejected",
      actor: "alice",
      details: { note: "not our style", batch: { auditEventId: expect.any(Number), count: 2 } },
    });
    expect(await errorOf(decide, { decision: "reject", ids: [ids.b], note: null })).toBe(
      "a reason is required to reject an action",
    );
  });

  it("retries a FAILED action as an audited decision: attempts from zero, approved again", async () => {
    const failed = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId: 1, position: "x", format: "y" },
    });
    await db.pool.query(
      "update autoexec.actions set status = 'FAILED', execution_attempts = 3, status_reason = 'failed 3 times' where id = $1",
      [failed],
    );
    const result = await data(
      `mutation($id: BigInt!) { retryAction(input: { actionId: $id, note: "partner API back" }) { result { id status statusReason executionAttempts reviewedBy } } }`,
      { id: failed },
    );
    expect(result.retryAction).toEqual({
      result: {
        id: String(failed),
        status: "APPROVED",
        statusReason: "retry requested by alice; executes as soon as the guards allow",
        executionAttempts: 0,
        reviewedBy: "alice",
      },
    });
    const { rows } = await db.pool.query(
      "select action, old_values, new_values, note from autoexec.audit_events where subject_id = $1 order by id desc limit 1",
      [String(failed)],
    );
    expect(rows[0]).toEqual({
      action: "action.retried",
      old_values: { status: "FAILED" },
      new_values: { status: "APPROVED" },
      note: "partner API back",
    });
    const jobs = await db.pool.query(
      "select count(*)::int as n from graphile_worker.jobs where key = 'execute_action:' || $1",
      [String(failed)],
    );
    expect(jobs.rows[0].n).toBe(1);
    expect(
      await errorOf(`mutation($id: BigInt!) { retryAction(input: { actionId: $id }) { clientMutationId } }`, {
        id: failed,
      }),
    ).toMatch(/^action \d+ is APPROVED .*only a FAILED action can be retried$/);
  });
});

describe("review-time metrics (PRD: admin review time saved 50%+)", () => {
  it("gives the time from proposal to decision per type, the decisions Tier 1 saved and their share", async () => {
    const other = await createTestDatabase();
    const local = await createTestApi(other);
    try {
      const action = async (type: string) =>
        insertAction(other.pool, { type, data: { modId: 1, content: "x", position: "p", format: "f" } });
      // Three EXPAND_CONTENT decided after 60 s, 120 s and 600 s (two of them in one bulk approval),
      // one ADD_AD_SLOT rejected after 300 s, four Tier 1 actions executed live by the engine.
      const e1 = await action("EXPAND_CONTENT");
      const e2 = await action("EXPAND_CONTENT");
      const e3 = await action("EXPAND_CONTENT");
      const ad = await action("ADD_AD_SLOT");
      const ok = async (query: string, variables: Record<string, unknown>) =>
        expect((await local.graphql(query, variables)).body.errors).toBeUndefined();
      await ok(
        `mutation($ids: [BigInt]!) { approveActions(input: { actionIds: $ids }) { clientMutationId } }`,
        {
          ids: [e1, e2],
        },
      );
      await ok(`mutation($id: BigInt!) { approveAction(input: { actionId: $id }) { clientMutationId } }`, {
        id: e3,
      });
      await ok(
        `mutation($id: BigInt!) { rejectAction(input: { actionId: $id, reason: "ugly" }) { clientMutationId } }`,
        {
          id: ad,
        },
      );
      // Move each proposal back in time so that its decision (single or in the batch) took the seconds above.
      for (const [id, seconds] of [
        [e1, 60],
        [e2, 120],
        [e3, 600],
        [ad, 300],
      ] as const) {
        await other.pool.query(
          `update autoexec.actions a set created_at = e.occurred_at - make_interval(secs => $2)
           from autoexec.audit_events e
           where a.id = $1 and ((e.subject_type = 'action' and e.subject_id = a.id::text)
             or (e.subject_type = 'action_batch' and e.new_values -> 'actionIds' @> to_jsonb(a.id)))`,
          [id, seconds],
        );
      }
      for (let i = 0; i < 4; i++) {
        const id = await insertAction(other.pool, { data: amazonLink(1) });
        await other.pool.query(
          `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_by, mode, attempt,
             input_data, success, duration_ms) values ($1, 'ADD_AFFILIATE_LINK', 1, 'auto', 'live', 1, '{}', true, 1)`,
          [id],
        );
      }
      // A dry run and an approved (Tier 2) execution are no automated decisions.
      await other.pool.query(
        `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_by, mode, attempt,
           input_data, success, duration_ms) values ($1, 'EXPAND_CONTENT', 2, 'approved', 'live', 1, '{}', true, 1),
           ($1, 'EXPAND_CONTENT', 2, 'auto', 'dry_run', 1, '{}', true, 1)`,
        [e1],
      );
      const expected = {
        decisions: 4,
        // percentile_cont over 60, 120, 300, 600: median (120 + 300) / 2; p95 at rank 2.85: 300 + 0.85 × 300
        // (the stats estimate percentiles from histograms, within 4.4 %)
        p50Seconds: nearPercentile(210),
        p95Seconds: nearPercentile(555),
        byType: {
          // 60, 120, 600: median 120; p95 at rank 1.9: 120 + 0.9 × 480
          EXPAND_CONTENT: { decisions: 3, p50Seconds: nearPercentile(120), p95Seconds: nearPercentile(552) },
          ADD_AD_SLOT: { decisions: 1, p50Seconds: nearPercentile(300), p95Seconds: nearPercentile(300) },
        },
        automatedDecisions: 4,
        savedSeconds: nearPercentile(840), // 4 × 210
        savedShare: 0.5, // 4 / (4 + 4)
        target: 0.5,
      };
      const graphql = await local.graphql(`{ executionStats { ...StatsFields } } ${print(StatsFields)}`);
      const stats = graphql.body.data?.executionStats as { metrics: { reviewTime: unknown } };
      // GraphQL lists the types (sorted by type), REST maps them.
      expect(stats.metrics.reviewTime).toEqual({
        ...expected,
        byType: [
          { type: "ADD_AD_SLOT", ...expected.byType.ADD_AD_SLOT },
          { type: "EXPAND_CONTENT", ...expected.byType.EXPAND_CONTENT },
        ],
      });
      const rest = await local.rest("GET", "/api/monetization/execution/stats");
      expect(rest.status).toBe(200);
      expect(rest.body.metrics.reviewTime).toEqual(expected);
    } finally {
      await local.close();
      await other.drop();
    }
  });
});

describe("the history page's charts", () => {
  it("counts per UTC day and per type in one call, with or without dry runs", async () => {
    const other = await createTestDatabase();
    const local = await createTestApi(other);
    try {
      const id = await insertAction(other.pool, { data: amazonLink(1) });
      const log = (at: string, mode: string, success: boolean, type = "ADD_AFFILIATE_LINK") =>
        other.pool.query(
          `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
             attempt, input_data, success, error_message, duration_ms) values ($1, $2, 1, $3, 'auto', $4, 1, '{}', $5, $6, 1)`,
          [id, type, at, mode, success, success ? null : "boom"],
        );
      await log("2026-03-01T10:00:00Z", "live", true);
      await log("2026-03-01T23:59:59Z", "live", false);
      await log("2026-03-02T00:00:00Z", "dry_run", true, "UPDATE_META_DESCRIPTION");
      await log("2026-03-02T08:00:00Z", "dry_run", true, "UPDATE_META_DESCRIPTION");
      const daily = async (dry: boolean) => {
        const { body } = await local.graphql(
          `query($dry: Boolean) { executionDaily(rangeStart: "2026-03-01T00:00:00Z", rangeEnd: "2026-03-03T00:00:00Z", includeDryRuns: $dry) }`,
          { dry },
        );
        expect(body.errors).toBeUndefined();
        return body.data?.executionDaily as { days: unknown[]; byType: Record<string, unknown> };
      };
      const live = await daily(false);
      expect(live.days).toEqual([
        {
          day: "2026-03-01T00:00:00+00:00",
          succeeded: 1,
          failed: 1,
          rolledBack: 0,
          dryRuns: 0,
          successRate: 0.5,
        },
        {
          day: "2026-03-02T00:00:00+00:00",
          succeeded: 0,
          failed: 0,
          rolledBack: 0,
          dryRuns: 0,
          successRate: null,
        },
      ]);
      expect(live.byType).toEqual({
        ADD_AFFILIATE_LINK: { attempts: 2, succeeded: 1, failed: 1, rolledBack: 0, dryRuns: 0 },
      });
      const withDry = await daily(true);
      expect(withDry.days[1]).toEqual({
        day: "2026-03-02T00:00:00+00:00",
        succeeded: 2,
        failed: 0,
        rolledBack: 0,
        dryRuns: 2,
        successRate: 1,
      });
      // The executions list's capped count, with the same filters as the list.
      const count = async (args: string) => {
        const { body } = await local.graphql(`{ countExecutionLogs${args ? `(${args})` : ""} }`);
        const answer = body.data?.countExecutionLogs as { matching: number } | undefined;
        return body.errors?.[0]?.message ?? answer?.matching;
      };
      expect(await count("")).toBe(4);
      expect(await count("mode: live")).toBe(2);
      expect(await count("success: false")).toBe(1);
      expect(await count('executedByKind: AUTO, actionType: "UPDATE_META_DESCRIPTION"')).toBe(2);
      expect(await count("executedByKind: MANUAL")).toBe(0);
      expect(await count("executedByKind: ROBOT")).toMatch(/ROBOT.*ExecutedByKind|ExecutedByKind.*ROBOT/);
      expect(withDry.byType.UPDATE_META_DESCRIPTION).toEqual({
        attempts: 2,
        succeeded: 2,
        failed: 0,
        rolledBack: 0,
        dryRuns: 2,
      });
    } finally {
      await local.close();
      await other.drop();
    }
  });
});

describe("the settings page's one save", () => {
  const SAVE = `mutation($changes: JSON, $types: JSON, $reason: String) {
    saveSettings(input: { changes: $changes, actionTypes: $types, reason: $reason }) { result { dryRun hourlyLimit } } }`;

  it("asks a reason for leaving dry run or raising a limit tenfold, and keeps it in every audit event", async () => {
    expect(await errorOf(SAVE, { changes: { enabled: true, dry_run: false, hourly_limit: 101 } })).toBe(
      "a reason is required for leaving dry run, raising hourly_limit from 10 to 101",
    );
    // Turning the engine on in dry run is not going live.
    expect(await errorOf(SAVE, { changes: { enabled: true, dry_run: true } })).toBeUndefined();
    await db.pool.query("update autoexec.settings set enabled = false");
    expect(await errorOf(SAVE, { changes: { hourly_limit: -1 }, reason: "x" })).toMatch(
      /^settings refused: hourly_limit must be between 0 and 2147483647/,
    );
    expect(await errorOf(SAVE, { changes: { hourlyLimit: 5 } })).toBe("unknown setting hourlyLimit");
    // Refused as a whole: the type change of a refused save is not applied either.
    expect(
      await errorOf(SAVE, {
        changes: { hourly_limit: 20 },
        types: [{ type: "REMOVE_CONTENT", mode: "live" }],
        reason: "r",
      }),
    ).toMatch(/Tier 3 types are always disabled/);
    const { rows: unchanged } = await db.pool.query("select hourly_limit from autoexec.settings");
    expect(unchanged[0].hourly_limit).toBe(10);

    const before = await db.pool.query("select max(id) as id from autoexec.audit_events");
    const saved = await data(SAVE, {
      changes: { dry_run: false, hourly_limit: 20 },
      types: [{ type: "ADD_AFFILIATE_LINK", mode: "dry_run", dailyCap: 5 }],
      reason: "phase 2 after the shadow report",
    });
    expect(saved.saveSettings).toEqual({ result: { dryRun: false, hourlyLimit: 20 } });
    const { rows } = await db.pool.query(
      "select action, new_values, note from autoexec.audit_events where id > $1 order by id",
      [before.rows[0].id],
    );
    expect(rows).toEqual([
      {
        action: "settings.updated",
        new_values: { dry_run: false, hourly_limit: 20 },
        note: "phase 2 after the shadow report",
      },
      {
        action: "action_type.updated",
        new_values: { daily_cap: 5, mode: "dry_run" },
        note: "phase 2 after the shadow report",
      },
    ]);
    // Any argument of update_settings, by name, as text the server casts (intervals, numbers, '' = none).
    await data(SAVE, { changes: { cooldown: "1800 seconds", min_confidence: "0.65", webhook_url: "" } });
    const { rows: cast } = await db.pool.query(
      "select extract(epoch from cooldown)::int as cooldown, min_confidence::text, webhook_url from autoexec.settings",
    );
    expect(cast[0]).toEqual({ cooldown: 1800, min_confidence: "0.65", webhook_url: null });
    expect(await errorOf(SAVE, { changes: { cooldown: "soon" } })).toMatch(
      /^settings refused: invalid input syntax/,
    );
    // A later change without a reason gets no stale note.
    await data(SAVE, { changes: { hourly_limit: 25 } });
    const { rows: last } = await db.pool.query(
      "select note from autoexec.audit_events order by id desc limit 1",
    );
    expect(last[0].note).toBeNull();
  });
});

describe("the phase-1 shadow report", () => {
  it("replays the limits on the dry-run timeline, per type, with what would have run and its impact", async () => {
    const other = await createTestDatabase();
    const local = await createTestApi(other);
    try {
      await other.pool.query(
        "update autoexec.settings set hourly_limit = 2, daily_limit = 3, rate_limit_key_limit = 1, rate_limit_key_window = '24 hours'",
      );
      await other.pool.query("update autoexec.action_types set daily_cap = 1 where type = 'EXPAND_CONTENT'");
      const dryRun = async (
        type: string,
        key: string | null,
        impact: number,
        runs: { at: string; error?: string }[],
      ) => {
        const id = await insertAction(other.pool, {
          type,
          data: { modId: 1, content: "x" },
          impact,
          rateLimitKey: key,
        });
        for (const run of runs) {
          await other.pool.query(
            `insert into autoexec.execution_logs (action_id, action_type, execution_tier, rate_limit_key, executed_at,
               executed_by, mode, attempt, input_data, success, error_message, duration_ms)
             values ($1, $2, $3, $4, $5, 'auto', 'dry_run', 1, '{}', $6, $7, 1)`,
            [id, type, type === "EXPAND_CONTENT" ? 2 : 1, key, run.at, !run.error, run.error ?? null],
          );
        }
      };
      const day = "2026-03-01T";
      await dryRun("ADD_AFFILIATE_LINK", "k1", 1, [{ at: `${day}10:00:00Z` }, { at: `${day}12:00:00Z` }]);
      await dryRun("ADD_AFFILIATE_LINK", "k2", 2, [{ at: `${day}10:10:00Z` }]);
      await dryRun("ADD_AFFILIATE_LINK", "k3", 4, [{ at: `${day}10:20:00Z` }]);
      await dryRun("ADD_AFFILIATE_LINK", "k1", 8, [{ at: `${day}10:30:00Z` }]);
      await dryRun("ADD_AFFILIATE_LINK", null, 16, [{ at: `${day}10:40:00Z`, error: "boom" }]);
      await dryRun("ADD_AFFILIATE_LINK", null, 16, [{ at: `${day}10:45:00Z`, error: "boom" }]);
      await dryRun("ADD_AFFILIATE_LINK", null, 16, [{ at: `${day}10:50:00Z`, error: "timeout" }]);
      await dryRun("EXPAND_CONTENT", null, 10, [{ at: `${day}12:00:00Z` }]);
      await dryRun("EXPAND_CONTENT", null, 20, [{ at: `${day}13:00:00Z` }]);
      // Outside the range: not counted.
      await dryRun("ADD_AFFILIATE_LINK", "k9", 99, [{ at: "2026-03-02T09:00:00Z" }]);

      const { body } = await local.graphql(
        `{ shadowReport(rangeStart: "2026-03-01T09:00:00Z", rangeEnd: "2026-03-02T09:00:00Z") }`,
      );
      expect(body.errors).toBeUndefined();
      const report = body.data?.shadowReport as Record<string, unknown>;
      expect(report.types).toEqual([
        {
          type: "ADD_AFFILIATE_LINK",
          tier: 1,
          // 8 dry runs: the k1 action twice; 3 failed.
          dryRuns: 8,
          succeeded: 5,
          failed: 3,
          successRate: 0.625,
          topFailures: [
            { reason: "boom", count: 2 },
            { reason: "timeout", count: 1 },
          ],
          // 10:00 and 10:10 run; 10:20 meets the hourly limit of 2 and waits until 10:00 leaves the hour
          // (11:00, 40 min later); 10:30 is k1's second action: the key allows 1 per 24 h, so not before
          // 10:00 the next day, after the range.
          wouldExecute: 3,
          deferred: 1,
          deferredSeconds: { avg: 2400, max: 2400 },
          notWithinRange: 1,
          estimatedRevenueImpact: 7, // 1 + 2 + 4
        },
        {
          type: "EXPAND_CONTENT",
          tier: 2,
          dryRuns: 2,
          succeeded: 2,
          failed: 0,
          successRate: 1,
          topFailures: [],
          // A daily cap of 1: the 13:00 one would wait until 12:00 the next day.
          wouldExecute: 1,
          deferred: 0,
          deferredSeconds: { avg: null, max: null },
          notWithinRange: 1,
          estimatedRevenueImpact: 10,
        },
      ]);
      expect(report.totals).toEqual({
        dryRuns: 10,
        succeeded: 7,
        failed: 3,
        successRate: 0.7,
        wouldExecute: 4,
        deferred: 1,
        notWithinRange: 2,
        estimatedRevenueImpact: 17,
      });
      expect(report.readyForPhase2).toEqual({
        ready: false,
        reasons: [
          "only 10 dry runs in the range; at least 20 are needed to judge",
          "the dry-run success rate is 70.0%, below the 95% target",
        ],
      });
      const { body: refused } = await local.graphql(
        `{ shadowReport(rangeStart: "2026-03-01T00:00:00Z", rangeEnd: "2026-01-01T00:00:00Z") }`,
      );
      expect(refused.errors?.[0]?.message).toBe("the range must start before it ends");
    } finally {
      await local.close();
      await other.drop();
    }
  });
});
