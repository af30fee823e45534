import { beforeEach, describe, expect, it } from "vitest";
import { inRolledBackTransaction } from "../src/engine/change.ts";
import { type ExecutionOutcome, executeAction, RetryableExecutionError } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { databaseForTests } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  getAction,
  goLive,
  hoursAgo,
  insertAction,
  insertMod,
  minutesAgo,
  resetEngine,
} from "./support/fixtures.ts";

const db = databaseForTests();

// Each test starts from a clean engine: no actions, logs or alerts, default settings, breaker closed.
beforeEach(() =>
  resetEngine(db.pool, {
    min_confidence: 0.7,
    min_revenue_impact: 0.1,
    hourly_limit: 10,
    daily_limit: 50,
    rate_limit_key_limit: 3,
    cooldown: "60 minutes",
    type_breaker_min_executions: 5,
  }),
);

const run = (actionId: number, handlerMap = handlers) =>
  executeAction({ pool: db.pool, handlers: handlerMap, log: db.log }, actionId);

/** When the dispatcher of the waiting line runs next (null: it is not scheduled). */
async function dispatcherRunAt(): Promise<Date | null> {
  const { rows } = await db.pool.query(
    "select run_at from graphile_worker.jobs where key = 'autoexec:dispatch_waiting' and locked_at is null",
  );
  return rows[0]?.run_at ?? null;
}

const completeAllJobs = () =>
  db.pool.query("select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs))");

const lineReason = (hourly = 10, daily = 50) =>
  `waiting in line for a rate-limit slot (${hourly} per rolling hour, ${daily} per rolling 24 hours); the most valuable run first`;

/** A fresh affiliate-link action on a fresh mod. */
async function proposeLink(fields: { confidence?: number; impact?: number; rateLimitKey?: string } = {}) {
  const modId = await insertMod(db.pool);
  return insertAction(db.pool, { data: amazonLink(modId), ...fields });
}

async function liveSuccesses(): Promise<number> {
  const { rows } = await db.pool.query(
    "select count(*)::int as n from autoexec.execution_logs where success and mode = 'live'",
  );
  return rows[0].n;
}

/** A registry whose affiliate-link handler always throws while executing. */
const brokenHandlers = new Map(handlers);
const realLinkHandler = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
brokenHandlers.set("ADD_AFFILIATE_LINK", {
  ...realLinkHandler,
  async execute() {
    throw new Error("affiliate network timed out");
  },
});

/** Runs an action whose handler throws, returning the final outcome or the retry error. */
async function fail(actionId: number): Promise<ExecutionOutcome | RetryableExecutionError> {
  return run(actionId, brokenHandlers).catch((error: unknown) => {
    if (error instanceof RetryableExecutionError) return error;
    throw error;
  });
}

describe("global switch and dry run", () => {
  it("a new database is off and in dry run", async () => {
    await db.pool.query("update autoexec.settings set enabled = default, dry_run = default");
    const { rows } = await db.pool.query("select enabled, dry_run from autoexec.settings");
    expect(rows[0]).toEqual({ enabled: false, dry_run: true });
  });

  it("with the switch off an action waits, saying why", async () => {
    const id = await proposeLink();
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "wait" });
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "PENDING",
      status_reason: "auto-execution is switched off (settings.enabled)",
    });
    expect(await liveSuccesses()).toBe(0);
  });

  it("dry run logs what would happen, changes nothing, keeps the action pending, then runs live once allowed", async () => {
    await db.pool.query("update autoexec.settings set enabled = true, dry_run = true");
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId) });

    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "dry_run" });
    const { rows: logs } = await db.pool.query(
      "select mode, success, output_data from autoexec.execution_logs",
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ mode: "dry_run", success: true });
    expect(logs[0].output_data.addedLink.url).toBe(amazonLink(modId).affiliateUrl);
    const { rows: mods } = await db.pool.query("select affiliate_links from content.mods where id = $1", [
      modId,
    ]);
    expect(mods[0].affiliate_links).toEqual([]);
    const action = await getAction(db.pool, id);
    expect(action.status).toBe("PENDING");
    expect(action.execution_attempts).toBe(0);
    expect(action.status_reason).toMatch(/^dry run succeeded at .*; runs for real once dry run is off$/);

    // A second delivery in dry run does not dry-run it again.
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "wait" });

    await db.pool.query("update autoexec.settings set dry_run = false");
    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "live" });
    const { rows: after } = await db.pool.query("select affiliate_links from content.mods where id = $1", [
      modId,
    ]);
    expect(after[0].affiliate_links).toHaveLength(1);
  });

  it("a type in dry_run mode dry-runs even when the engine is live, and a disabled type waits", async () => {
    await goLive(db.pool);
    await db.pool.query(
      "update autoexec.action_types set mode = 'dry_run' where type = 'ADD_AFFILIATE_LINK'",
    );
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed", mode: "dry_run" });
    await db.pool.query(
      "update autoexec.action_types set mode = 'disabled' where type = 'ADD_AFFILIATE_LINK'",
    );
    const id = await proposeLink();
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "wait" });
    expect((await getAction(db.pool, id)).status_reason).toBe("action type ADD_AFFILIATE_LINK is disabled");
  });
});

describe("confidence and revenue impact (exclusive boundaries)", () => {
  beforeEach(() => goLive(db.pool));

  it("0.70 waits for an admin, 0.71 runs", async () => {
    const atThreshold = await proposeLink({ confidence: 0.7 });
    expect(await run(atThreshold)).toMatchObject({ outcome: "not_now", decision: "wait" });
    expect((await getAction(db.pool, atThreshold)).status_reason).toBe(
      "confidence 0.7 is not above the minimum 0.7; needs an admin",
    );
    expect(await run(await proposeLink({ confidence: 0.71 }))).toMatchObject({
      outcome: "executed",
      mode: "live",
    });
  });

  it("$0.10/month waits, $0.11/month runs", async () => {
    const atThreshold = await proposeLink({ impact: 0.1 });
    expect(await run(atThreshold)).toMatchObject({ outcome: "not_now", decision: "wait" });
    expect((await getAction(db.pool, atThreshold)).status_reason).toMatch(
      /revenue impact \$0.1\/month is not above/,
    );
    expect(await run(await proposeLink({ impact: 0.11 }))).toMatchObject({
      outcome: "executed",
      mode: "live",
    });
  });

  it("both thresholds are settings", async () => {
    await goLive(db.pool, { min_confidence: 0.5, min_revenue_impact: 0 });
    expect(await run(await proposeLink({ confidence: 0.51, impact: 0.01 }))).toMatchObject({
      outcome: "executed",
    });
  });
});

describe("rolling rate limits", () => {
  beforeEach(() => goLive(db.pool));

  it("the 10th auto-execution in an hour runs, the 11th waits in line, and the line is looked at when the oldest leaves the window", async () => {
    const times = [55, 50, 45, 40, 35, 30, 20, 10, 5].map(minutesAgo);
    await backdateExecutions(db.pool, times);
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });

    const eleventh = await proposeLink();
    await completeAllJobs(); // no worker runs here: only what the refusal schedules is left
    const outcome = await run(eleventh);
    expect(outcome).toMatchObject({ outcome: "not_now", decision: "defer" });
    const expectedRetry = (times[0] as Date).getTime() + 3_600_000;
    expect((outcome as { retryAt: Date }).retryAt.getTime()).toBeCloseTo(expectedRetry, -2);
    const action = await getAction(db.pool, eleventh);
    // It holds no job and no time of its own: the line's one dispatcher is scheduled for that moment.
    expect(action).toMatchObject({ deferred_until: null, status_reason: lineReason() });
    expect((await dispatcherRunAt())?.getTime()).toBeCloseTo(expectedRetry, -2);
    expect(await liveSuccesses()).toBe(10);
  });

  it("a refused slot is decided before the handler runs: no content change, no log", async () => {
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(30)),
    );
    const modId = await insertMod(db.pool);
    const refused = await insertAction(db.pool, { data: amazonLink(modId) });
    expect(await run(refused)).toMatchObject({ outcome: "not_now", decision: "defer" });
    const { rows: mods } = await db.pool.query("select affiliate_links from content.mods where id = $1", [
      modId,
    ]);
    expect(mods[0].affiliate_links).toEqual([]);
    expect(await liveSuccesses()).toBe(10);
    const { rows: logs } = await db.pool.query(
      "select count(*)::int as n from autoexec.execution_logs where action_id = $1",
      [refused],
    );
    expect(logs[0].n).toBe(0);

    // Data that can never execute ends INVALID now, without waiting for a slot.
    const malformed = await insertAction(db.pool, { data: { modId: "x" } });
    expect(await run(malformed)).toMatchObject({
      outcome: "invalid",
      reason: expect.stringContaining("modId"),
    });
    const linked = await insertMod(db.pool, { affiliateLinks: [{ url: amazonLink(0).affiliateUrl }] });
    const duplicate = await insertAction(db.pool, { data: amazonLink(linked) });
    expect(await run(duplicate)).toMatchObject({
      outcome: "invalid",
      reason: expect.stringContaining("already exists"),
    });
  });

  it("start_execution records a refused slot itself: the executor only checks the data and commits", async () => {
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(30)),
    );
    const refused = await proposeLink();
    await completeAllJobs();
    // What start_execution wrote, read in its own transaction before the executor says anything.
    await inRolledBackTransaction(db.pool, async (client) => {
      const { rows } = await client.query(
        "select decision, not_now, reason from autoexec_private.start_execution($1, false)",
        [refused],
      );
      expect(rows).toEqual([{ decision: "no_slot", not_now: "defer", reason: lineReason() }]);
      const { rows: recorded } = await client.query(
        "select status_reason, wait_kind from autoexec.actions where id = $1",
        [refused],
      );
      expect(recorded).toEqual([{ status_reason: lineReason(), wait_kind: "line" }]);
      const { rows: woken } = await client.query(
        "select count(*)::int as n from graphile_worker.jobs where key = 'autoexec:dispatch_waiting'",
      );
      expect(woken).toEqual([{ n: 1 }]);
    });
  });

  it("start_execution says how a run is logged: the engine, an approval or the admin who forced it", async () => {
    const started = (actionId: number, force: boolean, actor: string | null) =>
      inRolledBackTransaction(db.pool, async (client) => {
        const { rows } = await client.query(
          "select decision, mode, executed_by from autoexec_private.start_execution($1, $2, $3)",
          [actionId, force, actor],
        );
        return rows[0];
      });
    const actionId = await proposeLink();
    expect(await started(actionId, false, null)).toEqual({
      decision: "run",
      mode: "live",
      executed_by: "auto",
    });
    expect(await started(actionId, true, "alice")).toEqual({
      decision: "run",
      mode: "live",
      executed_by: "alice",
    });
    await db.pool.query("select autoexec.approve_action($1)", [actionId]);
    expect(await started(actionId, false, null)).toEqual({
      decision: "run",
      mode: "live",
      executed_by: "approved",
    });
    await db.pool.query("update autoexec.settings set dry_run = true");
    expect(await started(actionId, true, null)).toEqual({
      decision: "run",
      mode: "dry_run",
      executed_by: "admin",
    });
  });

  it("counts under an exclusive lock while a limit can bind, and shares the lock when none can", async () => {
    const actionId = await proposeLink();
    /**
     * The mode of the engine's slot lock one claim takes (the claim runs in a transaction that is
     * rolled back), as pg_locks shows it; and another session may share it exactly when it is the
     * shared mode.
     */
    const lockModeOfClaim = async (automatic: boolean) => {
      const client = await db.pool.connect();
      const probe = await db.pool.connect();
      try {
        await client.query("begin");
        await client.query(
          `select c.* from autoexec.actions a
             join autoexec.action_types t on t.type = a.type
             cross join autoexec.settings s
             cross join lateral autoexec_private.claim_execution_slot(a, s, t, $2) c
           where a.id = $1`,
          [actionId, automatic],
        );
        const held = await client.query<{ mode: string }>(
          `select mode from pg_locks
           where pid = pg_backend_pid() and relation = 'autoexec_private.execution_slot_lock'::regclass`,
        );
        const mode = held.rows.map((row) => row.mode).join(", ");
        const shared = await probe
          .query("begin; lock table autoexec_private.execution_slot_lock in row share mode nowait")
          .then(
            () => true,
            (error: { code?: string }) => (error.code === "55P03" ? false : error),
          );
        expect(shared, mode).toBe(mode === "RowShareLock");
        return mode;
      } finally {
        await client.query("rollback");
        await probe.query("rollback");
        client.release();
        probe.release();
      }
    };
    await backdateExecutions(db.pool, [minutesAgo(5), minutesAgo(4)]);
    const { rows } = await db.pool.query(`
      select coalesce(max(id), 0) + current_setting('max_connections')::int
             + current_setting('max_prepared_transactions')::int as most_rows
      from autoexec.execution_logs`);
    const mostRows = Number(rows[0].most_rows);
    const setLimits = (limit: number) =>
      db.pool.query(
        "update autoexec.settings set hourly_limit = $1, daily_limit = $1, rate_limit_key_limit = $1",
        [limit],
      );

    expect(await lockModeOfClaim(true)).toBe("ExclusiveLock"); // 10 per hour can bind
    await setLimits(mostRows + 1);
    expect(await lockModeOfClaim(true)).toBe("RowShareLock");
    await setLimits(mostRows);
    expect(await lockModeOfClaim(true)).toBe("ExclusiveLock");
    // An approved execution is bound only by its type's daily cap.
    expect(await lockModeOfClaim(false)).toBe("RowShareLock");
    await db.pool.query("update autoexec.action_types set daily_cap = $1 where type = 'ADD_AFFILIATE_LINK'", [
      mostRows,
    ]);
    expect(await lockModeOfClaim(false)).toBe("ExclusiveLock");
    // A vacuum's SHARE UPDATE EXCLUSIVE would conflict with EXCLUSIVE: the table is empty, autovacuum off.
    const table = await db.pool.query(
      `select c.reloptions, (select count(*)::int from autoexec_private.execution_slot_lock) as rows
       from pg_class c where c.oid = 'autoexec_private.execution_slot_lock'::regclass`,
    );
    expect(table.rows).toEqual([{ reloptions: ["autovacuum_enabled=false"], rows: 0 }]);
  });

  it("an execution keeps other writers off its mod, but not rows that reference it (no deadlock between two)", async () => {
    const modId = await insertMod(db.pool);
    const otherMod = await insertMod(db.pool);
    const actionId = await insertAction(db.pool, { data: amazonLink(modId) });
    const executing = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      await executing.query("begin");
      const { rows } = await executing.query(
        "select decision, mod_id from autoexec_private.start_execution($1, false)",
        [actionId],
      );
      expect(rows[0]).toEqual({ decision: "run", mod_id: modId });
      await other.query("begin");
      await other.query("set local lock_timeout = '500ms'");
      // Another execution's handler suggesting a link to this mod takes a key-share lock: it goes through.
      await other.query(
        "insert into content.internal_link_suggestions (source_mod_id, target_mod_id, score) values ($1, $2, 1)",
        [otherMod, modId],
      );
      // A writer of the mod itself waits for the execution to commit.
      await expect(
        other.query("update content.mods set title = 'edited' where id = $1", [modId]),
      ).rejects.toMatchObject({ code: "55P03" });
    } finally {
      await other.query("rollback");
      await executing.query("rollback");
      other.release();
      executing.release();
    }
  });

  it("executions older than an hour do not count towards the hourly limit", async () => {
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(61)),
    );
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
  });

  it("the 50th in a rolling day runs, the 51st is deferred a day after the oldest", async () => {
    const times = Array.from({ length: 49 }, (_, i) => hoursAgo(23.5 - i * 0.4)); // all older than an hour
    await backdateExecutions(db.pool, times);
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    const fiftyFirst = await proposeLink();
    await completeAllJobs();
    expect(await run(fiftyFirst)).toMatchObject({ outcome: "not_now", decision: "defer" });
    const action = await getAction(db.pool, fiftyFirst);
    expect(action.status_reason).toBe(lineReason());
    expect((await dispatcherRunAt())?.getTime()).toBeCloseTo((times[0] as Date).getTime() + 86_400_000, -2);
  });

  it("a rate_limit_key allows 3 per rolling 24 hours by default", async () => {
    await backdateExecutions(db.pool, [hoursAgo(20), hoursAgo(10)], { rateLimitKey: "mod:7" });
    expect(await run(await proposeLink({ rateLimitKey: "mod:7" }))).toMatchObject({ outcome: "executed" });
    const fourth = await proposeLink({ rateLimitKey: "mod:7" });
    expect(await run(fourth)).toMatchObject({ outcome: "not_now", decision: "defer" });
    expect((await getAction(db.pool, fourth)).status_reason).toMatch(
      /^limit for mod:7 reached \(3 per 24 hours\)/,
    );
    expect(await run(await proposeLink({ rateLimitKey: "mod:8" }))).toMatchObject({ outcome: "executed" });
  });

  it("dry runs and Tier 2 executions do not use up Tier 1 slots; the limits are settings", async () => {
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(30)),
      { executedBy: "approved" },
    );
    await goLive(db.pool, { hourly_limit: 1 });
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    expect(await run(await proposeLink())).toMatchObject({ outcome: "not_now", decision: "defer" });
  });

  it("a per-type daily cap defers once reached (rollout phase 2: 5 a day)", async () => {
    await db.pool.query("update autoexec.action_types set daily_cap = 5 where type = 'ADD_AFFILIATE_LINK'");
    await backdateExecutions(db.pool, [hoursAgo(20), hoursAgo(15), hoursAgo(10), hoursAgo(5)]);
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    const sixth = await proposeLink();
    expect(await run(sixth)).toMatchObject({ outcome: "not_now", decision: "defer" });
    expect((await getAction(db.pool, sixth)).status_reason).toMatch(
      /^daily cap for ADD_AFFILIATE_LINK reached \(5/,
    );
  });
});

describe("recently edited pages", () => {
  beforeEach(() => goLive(db.pool));

  it("a mod edited 23 hours ago defers the action until 24 hours after the edit; 25 hours ago runs", async () => {
    const recent = await insertMod(db.pool, { editedHoursAgo: 23 });
    const id = await insertAction(db.pool, { data: amazonLink(recent) });
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "defer" });
    const { rows } = await db.pool.query("select externally_modified_at from content.mods where id = $1", [
      recent,
    ]);
    const action = await getAction(db.pool, id);
    expect(action.deferred_until?.getTime()).toBe(rows[0].externally_modified_at.getTime() + 86_400_000);
    expect(action.status_reason).toMatch(new RegExp(`^mod ${recent} was edited at .*; waiting until`));

    const old = await insertMod(db.pool, { editedHoursAgo: 25 });
    expect(await run(await insertAction(db.pool, { data: amazonLink(old) }))).toMatchObject({
      outcome: "executed",
    });
  });

  it("an edit by anyone else restarts the wait; the engine's own edits do not", async () => {
    const modId = await insertMod(db.pool);
    expect(await run(await insertAction(db.pool, { data: amazonLink(modId, "FIRST") }))).toMatchObject({
      outcome: "executed",
    });
    // The engine just edited the mod: a second action on it is not held back.
    expect(await run(await insertAction(db.pool, { data: amazonLink(modId, "SECOND") }))).toMatchObject({
      outcome: "executed",
    });
    await db.pool.query("update content.mods set title = 'Renamed by an editor' where id = $1", [modId]);
    expect(await run(await insertAction(db.pool, { data: amazonLink(modId, "THIRD") }))).toMatchObject({
      outcome: "not_now",
      decision: "defer",
    });
  });
});

describe("failures, cooldown and circuit breaker", () => {
  // The global cooldown and breaker; the per-type breakers (test/waiting.test.ts) kept out of reach.
  beforeEach(() => goLive(db.pool, { type_breaker_min_executions: 1_000 }));

  it("a failure is retried until the 3rd attempt ends the action FAILED", async () => {
    const id = await proposeLink();
    expect(await fail(id)).toBeInstanceOf(RetryableExecutionError);
    expect(await getAction(db.pool, id)).toMatchObject({ status: "PENDING", execution_attempts: 1 });
    expect((await getAction(db.pool, id)).status_reason).toBe(
      "attempt 1 of 3 failed (affiliate network timed out); retrying",
    );
    expect(await fail(id)).toBeInstanceOf(RetryableExecutionError);
    expect(await fail(id)).toMatchObject({ outcome: "failed", final: true, attempts: 3 });
    expect(await getAction(db.pool, id)).toMatchObject({ status: "FAILED", execution_attempts: 3 });
    const { rows } = await db.pool.query(
      "select attempt, success, error_message from autoexec.execution_logs",
    );
    expect(rows.map((row) => [row.attempt, row.success])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    const { rows: alerts } = await db.pool.query(
      "select kind from autoexec.notifications where kind = 'action_failed'",
    );
    expect(alerts).toHaveLength(1);
  });

  it("3 failures in a row start a 60 minute cooldown that defers every action; a success breaks the streak", async () => {
    await fail(await proposeLink());
    await fail(await proposeLink());
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    const { rows: streak } = await db.pool.query(
      "select consecutive_failures, cooldown_until from autoexec.engine_state",
    );
    expect(streak[0]).toEqual({ consecutive_failures: 0, cooldown_until: null });

    for (let i = 0; i < 3; i++) await fail(await proposeLink());
    const { rows } = await db.pool.query("select cooldown_until from autoexec.engine_state");
    expect(rows[0].cooldown_until.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(rows[0].cooldown_until.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    const waiting = await proposeLink();
    expect(await run(waiting)).toMatchObject({ outcome: "not_now", decision: "defer" });
    expect((await getAction(db.pool, waiting)).status_reason).toMatch(
      /^cooling down after 3 failures in a row, until /,
    );
    // The cooldown woke the line's dispatcher (it then schedules itself for the cooldown's end).
    expect((await dispatcherRunAt())?.getTime()).toBeLessThanOrEqual(rows[0].cooldown_until.getTime());
    const { rows: alerts } = await db.pool.query(
      "select kind from autoexec.notifications where kind = 'cooldown_started'",
    );
    expect(alerts).toHaveLength(1);
  });

  async function seedRecentExecutions(succeeded: number, failed: number) {
    await backdateExecutions(
      db.pool,
      Array.from({ length: succeeded }, (_, i) => minutesAgo(90 + i)),
    );
    await backdateExecutions(
      db.pool,
      Array.from({ length: failed }, (_, i) => minutesAgo(70 + i)),
      { success: false },
    );
  }

  async function breaker() {
    const { rows } = await db.pool.query("select breaker_open, breaker_reason from autoexec.engine_state");
    return rows[0];
  }

  it("stays closed at exactly 20% failed of the last executions", async () => {
    await seedRecentExecutions(8, 1);
    await fail(await proposeLink()); // 2 of 10 = 20%: not above 20%
    expect((await breaker()).breaker_open).toBe(false);
  });

  it("opens above 20% failed once at least 10 ran, alerts, and pauses every action until an admin resets it", async () => {
    await seedRecentExecutions(7, 2);
    await fail(await proposeLink()); // 3 of 10 = 30%
    expect(await breaker()).toEqual({
      breaker_open: true,
      breaker_reason: "3 of the last 10 executions failed (30% > 20%)",
    });
    const { rows: alerts } = await db.pool.query(
      "select severity, message from autoexec.notifications where kind = 'circuit_breaker_opened'",
    );
    expect(alerts).toEqual([
      { severity: "critical", message: expect.stringMatching(/^Circuit breaker opened/) },
    ]);

    const paused = await proposeLink();
    expect(await run(paused)).toMatchObject({ outcome: "not_now", decision: "wait" });
    expect((await getAction(db.pool, paused)).status_reason).toMatch(
      /^circuit breaker open since .*an admin must reset it$/,
    );

    await expect(db.pool.query("select autoexec.reset_circuit_breaker('  ')")).rejects.toThrow(
      /a reason is required/,
    );
    await db.pool.query("select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs))");
    await db.pool.query("select autoexec.reset_circuit_breaker('affiliate network is back')");
    expect((await breaker()).breaker_open).toBe(false);
    // The reset wakes the waiting line's dispatcher, which resumes the paused action.
    const { rows: jobs } = await db.pool.query("select key from graphile_worker.jobs");
    expect(jobs.map((job) => job.key)).toContain("autoexec:dispatch_waiting");
    // The first three executions after the reset are probes (settings.breaker_probes); they succeed.
    expect(await run(paused)).toMatchObject({ outcome: "executed" });
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    expect(await run(await proposeLink())).toMatchObject({ outcome: "executed" });
    // Failures from before the reset no longer count: one new failure does not reopen it.
    await fail(await proposeLink());
    expect((await breaker()).breaker_open).toBe(false);
  });

  it("does not open with fewer than 10 executions, however many failed", async () => {
    await seedRecentExecutions(0, 8);
    await fail(await proposeLink()); // 9 of 9 failed
    expect((await breaker()).breaker_open).toBe(false);
  });

  it("only the admin role may reset it", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("begin; set local role autoexec_viewer");
      await expect(client.query("select autoexec.reset_circuit_breaker('why not')")).rejects.toThrow(
        /permission denied/,
      );
      await client.query("rollback; begin; set local role autoexec_admin");
      await client.query("select autoexec.reset_circuit_breaker('checked the logs')");
    } finally {
      await client.query("rollback");
      client.release();
    }
  });
});

describe("expiry and finished actions", () => {
  beforeEach(() => goLive(db.pool));

  it("an expired action ends EXPIRED when its job runs, and the sweep expires the rest", async () => {
    const modId = await insertMod(db.pool);
    const expired = await insertAction(db.pool, { data: amazonLink(modId), expiresAt: minutesAgo(1) });
    expect(await run(expired)).toMatchObject({ outcome: "not_now", decision: "end" });
    expect(await getAction(db.pool, expired)).toMatchObject({ status: "EXPIRED" });

    const swept = await insertAction(db.pool, { data: amazonLink(modId, "OTHER"), expiresAt: minutesAgo(1) });
    const { rows } = await db.pool.query("select autoexec_private.sweep() as result");
    expect(rows[0].result.expired).toBe(1);
    expect((await getAction(db.pool, swept)).status_reason).toMatch(/^expired at .* before it could run$/);
  });

  it("a second run of an executed action does nothing, and Tier 2 and 3 actions are never run by this path", async () => {
    const id = await proposeLink();
    await run(id);
    expect(await run(id)).toMatchObject({
      outcome: "not_now",
      decision: "skip",
      reason: "action is EXECUTED",
    });
    expect(await liveSuccesses()).toBe(1);

    const tier3 = await insertAction(db.pool, { type: "REMOVE_CONTENT", data: { modId: 1 } });
    expect(await run(tier3)).toMatchObject({ outcome: "not_now", decision: "skip" });
    const tier2 = await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: 1 } });
    expect(await run(tier2)).toMatchObject({ outcome: "not_now", reason: "waiting for an admin's approval" });
  });
});
