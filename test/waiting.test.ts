import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { counters } from "../bench/waiting-line.ts";
import { createPool } from "../src/db/pool.ts";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { startWorker, type Worker } from "../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  getAction,
  goLive,
  hoursAgo,
  insertAction,
  insertMod,
  minutesAgo,
} from "./support/fixtures.ts";
import { createTestApi } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// How waiting works (docs/waiting.md): a standing backlog behind scarce slots, value order, reasons that
// stay true, and an engine that nothing outside it can stall.

/**
 * How long a test waits for what the engine promises "within a second" (issue 13): without the
 * re-evaluation these actions would wait an hour, so the test still fails; the second itself is the
 * benchmark's to measure (a test file shares two cores with the others running beside it).
 */
const SOON_MS = 5_000;

let db: TestDatabase;
let workers: Array<{ worker: Worker; pool: pg.Pool }> = [];

beforeEach(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  for (const { worker, pool } of workers) {
    await worker.stop();
    await pool.end();
  }
  workers = [];
  await db.drop();
});

/** An in-process worker on a pool of its own (ending the pool flushes its backends' statistics). */
async function start(
  options: { lockTimeoutMs?: number; handlers?: ReadonlyMap<string, ActionHandler> } = {},
) {
  const pool = createPool(db.url, db.log, 8);
  const worker = await startWorker({ pool, log: db.log, concurrency: 4, pollInterval: 200, ...options });
  const entry = { worker, pool };
  workers.push(entry);
  return entry;
}

async function stop(entry: { worker: Worker; pool: pg.Pool }) {
  await entry.worker.stop();
  await entry.pool.end();
  workers = workers.filter((other) => other !== entry);
}

async function scalar<T>(
  sql: string,
  params: unknown[] = [],
  on: Pick<pg.Pool, "query"> = db.pool,
): Promise<T> {
  const { rows } = await on.query(sql, params);
  return Object.values(rows[0] ?? {})[0] as T;
}

/** Engine jobs that are running or due: none means the workers have nothing to do until a later time. */
async function busyJobs(on: Pick<pg.Pool, "query"> = db.pool): Promise<number> {
  return scalar<number>(
    `select count(*)::int from graphile_worker.jobs
     where task_identifier not in ('sweep', 'purge_rollback_data', 'fold_rollups', 'deliver_notification')
       and (locked_at is not null or run_at <= now())`,
    [],
    on,
  );
}

async function waitUntilSettled(timeoutMs: number, on: Pick<pg.Pool, "query"> = db.pool, intervalMs = 100) {
  // Twice in a row, so that a job added by the one that just finished is seen.
  let quiet = 0;
  await waitFor(
    async () => {
      quiet = (await busyJobs(on)) === 0 ? quiet + 1 : 0;
      return quiet >= 2;
    },
    timeoutMs,
    { what: "the workers to settle", intervalMs, describe: async () => JSON.stringify(await statusCounts()) },
  );
}

async function statusCounts(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>(
    "select status, count(*)::int as n from autoexec.actions group by status order by status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * `count` eligible affiliate-link actions on mods of their own, in one INSERT … SELECT as the agent
 * would send a batch; impact (and so value) distinct, in shuffled order. Returns id → impact.
 */
async function insertBacklog(count: number, tag = "b"): Promise<Map<number, number>> {
  const { rows } = await db.pool.query<{ id: number; impact: number }>(
    `with mods as (
       insert into content.mods (slug, title, body, affiliate_links, externally_modified_at)
       select $2 || '-' || g, 'Mod ' || g, '', '[]', now() - interval '2 days' from generate_series(1, $1) g
       returning id
     ), shuffled as (
       select id, row_number() over (order by random()) as n from mods
     )
     insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select 'ADD_AFFILIATE_LINK',
       jsonb_build_object('modId', id, 'affiliateType', 'amazon',
         'affiliateUrl', 'https://www.amazon.com/dp/B000TEST?tag=musthavemods'),
       0.9, 1 + n / 100.0
     from shuffled order by id
     returning id, estimated_revenue_impact as impact`,
    [count, `${tag}-${Math.random().toString(36).slice(2, 8)}`],
  );
  return new Map(rows.map((row) => [row.id, row.impact]));
}

/** Ten live automatic executions half an hour ago: the rolling hour is full. */
function fillTheHour(count = 10): Promise<void> {
  return backdateExecutions(
    db.pool,
    Array.from({ length: count }, (_, i) => minutesAgo(30 + i / 100)),
  );
}

/**
 * Lets time pass for `count` slots: the oldest executions of the hour move out of it (history is
 * append-only for the application, so this superuser session skips the triggers), and every job
 * scheduled for later — what was waiting for that moment — becomes due now.
 */
async function freeSlots(count: number): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query("begin");
    await client.query("set local session_replication_role = replica");
    await client.query(
      `update autoexec.execution_logs set executed_at = now() - interval '61 minutes'
       where id in (select id from autoexec.execution_logs
                    where success and mode = 'live' and executed_by = 'auto' and executed_at > now() - interval '1 hour'
                    order by executed_at, id limit $1)`,
      [count],
    );
    await client.query(
      `select graphile_worker.reschedule_jobs(array(select id from graphile_worker.jobs
         where run_at > now() and locked_at is null and task_identifier not in ('sweep', 'purge_rollback_data', 'fold_rollups')),
         run_at => now())`,
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

describe("the engine's serialisation cannot be stalled from outside", () => {
  it("an agent holding the old advisory key (hashtext('autoexec.execution_slots')) does not stall executions", async () => {
    await goLive(db.pool); // 10 an hour: the limits can bind, so the rate-limit decision is serialised
    await start();
    const agent = await db.pool.connect();
    try {
      await agent.query("set role autoexec_agent");
      await agent.query("select pg_advisory_lock(hashtext('autoexec.execution_slots'))");
      await agent.query("select pg_advisory_lock_shared(hashtext('autoexec.execution_slots') + 1)");
      const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      await waitFor(async () => (await getAction(db.pool, id)).status === "EXECUTED", 5_000, {
        what: `action ${id} to execute while the agent holds the key`,
      });
      // And whatever the engine does lock is out of the agent's reach.
      await expect(
        agent.query("begin; lock table autoexec_private.execution_slot_lock in row share mode"),
      ).rejects.toThrow(/permission denied for table execution_slot_lock/);
      await agent.query("rollback");
    } finally {
      await agent.query("select pg_advisory_unlock_all(); reset role").catch(() => undefined);
      agent.release();
    }
  });

  it("the agent can take the engine's slot lock in no mode, nor wait for it", async () => {
    const modes = [
      "access share",
      "row share",
      "row exclusive",
      "share update exclusive",
      "share",
      "share row exclusive",
      "exclusive",
      "access exclusive",
    ];
    const agent = await db.pool.connect();
    try {
      await agent.query("set role autoexec_agent");
      for (const mode of modes) {
        // Without nowait: a request that got past the privilege check would queue behind this one.
        const holder = await db.pool.connect();
        try {
          await holder.query(
            "begin; lock table autoexec_private.execution_slot_lock in access exclusive mode",
          );
          await expect(
            agent.query(`begin; lock table autoexec_private.execution_slot_lock in ${mode} mode`),
            mode,
          ).rejects.toThrow(/permission denied for table execution_slot_lock/);
          await agent.query("rollback");
        } finally {
          await holder.query("rollback").catch(() => undefined);
          holder.release();
        }
      }
    } finally {
      await agent.query("reset role").catch(() => undefined);
      agent.release();
    }
  });

  it("a stuck engine lock delays, logs and retries the execution, and a graceful stop does not hang", async () => {
    await goLive(db.pool);
    const first = await start({ lockTimeoutMs: 200 });
    const holder = await db.pool.connect();
    try {
      // A superuser (say a DBA's forgotten session) holds the engine's own lock.
      await holder.query("begin");
      await holder.query("lock table autoexec_private.execution_slot_lock in exclusive mode");
      const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      await waitFor(
        async () =>
          (await scalar<number>(
            "select count(*)::int from graphile_worker.jobs where last_error like '%lock%' and attempts >= 1",
          )) >= 1,
        5_000,
        { what: "the execution to give up waiting for the lock and be retried" },
      );
      // The action itself did not fail: the engine was busy, not the action wrong.
      expect(await getAction(db.pool, id)).toMatchObject({ status: "PENDING", execution_attempts: 0 });
      expect(
        await scalar<number>("select count(*)::int from autoexec.execution_logs where action_id = $1", [id]),
      ).toBe(0);
      const stopping = Date.now();
      await stop(first);
      expect(Date.now() - stopping).toBeLessThan(5_000);
      await holder.query("commit");
      await start({ lockTimeoutMs: 200 });
      await db.pool.query(
        "select graphile_worker.reschedule_jobs(array(select id from graphile_worker.jobs where task_identifier = 'execute_action'), run_at => now())",
      );
      await waitFor(async () => (await getAction(db.pool, id)).status === "EXECUTED", 5_000, {
        what: `action ${id} to execute once the lock is free`,
      });
    } finally {
      await holder.query("rollback").catch(() => undefined);
      holder.release();
    }
  });
});

describe("scarce slots", () => {
  it("go to the most valuable waiting actions: with 10 slots and 1,000 waiting, exactly the top 10 run", async () => {
    await fillTheHour();
    await goLive(db.pool); // 10 per rolling hour
    const first = await start();
    const backlog = await insertBacklog(1_000);
    await waitUntilSettled(60_000);
    expect(await statusCounts()).toMatchObject({ PENDING: 1_000 + 0 });

    await freeSlots(10);
    await waitUntilSettled(60_000);
    const { rows } = await db.pool.query<{ id: number }>(
      "select id from autoexec.actions where status = 'EXECUTED' and id = any($1) order by id",
      [[...backlog.keys()]],
    );
    const topTen = [...backlog.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([id]) => id)
      .sort((a, b) => a - b);
    expect(rows.map((row) => row.id)).toEqual(topTen);
    await stop(first);
  }, 180_000);

  it("a freed slot costs a bounded amount of work with 10,000 waiting", async () => {
    await db.pool.query(`alter database ${db.name} set track_functions = 'pl'`);
    await fillTheHour();
    await goLive(db.pool);
    const loading = await start();
    await insertBacklog(10_000);
    await waitUntilSettled(240_000, db.pool, 500);
    await stop(loading);

    const freed = 5;
    const before = await counters(db.url);
    await freeSlots(freed);
    const observer = createPool(db.url, db.log, 1);
    let polls = 0;
    const measuring = await start();
    try {
      await waitFor(
        async () => {
          polls += 1;
          return (
            (await scalar<number>(
              "select count(*)::int from autoexec.actions where status = 'EXECUTED' and executed_at > now() - interval '10 minutes'",
              [],
              observer,
            )) >= freed
          );
        },
        240_000,
        { what: "the freed slots to be used", intervalMs: 250 },
      );
      polls += 2;
      await waitUntilSettled(240_000, observer, 250);
    } finally {
      await stop(measuring);
      await observer.end();
    }
    const after = await counters(db.url);
    const executions = after.starts - before.starts;
    // Every poll of the observer, and the worker's own start-up and shutdown, count as transactions too.
    const transactions = after.commits - before.commits - polls * 2 - 1;
    console.log(
      `10,000 waiting, ${freed} slots freed: ${executions} executions attempted, ~${transactions} transactions committed ` +
        `(${(executions / freed).toFixed(1)} and ${(transactions / freed).toFixed(1)} per freed slot)`,
    );
    expect(await statusCounts()).toMatchObject({ EXECUTED: 10 + freed, PENDING: 10_000 - freed });
    expect(executions / freed).toBeLessThanOrEqual(5);
    expect(transactions / freed).toBeLessThanOrEqual(50);
  }, 600_000);
});

/** The distinct reasons (as read now: GraphQL statusReason) of the backlog's waiting actions, with how many say each. */
async function reasonsOf(ids: Iterable<number>): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status_reason: string; n: number }>(
    `select autoexec.actions_status_reason(a) as status_reason, count(*)::int as n from autoexec.actions a
     where id = any($1) and status = 'PENDING' group by 1 order by 1`,
    [[...ids]],
  );
  return Object.fromEntries(rows.map((row) => [row.status_reason, row.n]));
}

/** Waits (at most a second: a change takes effect within one) until the backlog's reasons are `expected`. */
async function waitForReasons(
  ids: Iterable<number>,
  expected: Record<string, number>,
  what: string,
): Promise<void> {
  const list = [...ids];
  await waitFor(async () => JSON.stringify(await reasonsOf(list)) === JSON.stringify(expected), SOON_MS, {
    what,
    describe: async () => JSON.stringify(await reasonsOf(list)),
  });
}

const lineReason = (hourly: number, daily: number) =>
  `waiting in line for a rate-limit slot (${hourly} per rolling hour, ${daily} per rolling 24 hours); the most valuable run first`;

/** Runs `sql` as an admin of the API (the functions the GraphQL mutations call). */
async function asAdmin(sql: string, params: unknown[] = []): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query(
      "begin; set local role autoexec_admin; select set_config('jwt.claims.sub', 'alice', true)",
    );
    await client.query(sql, params);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
}

describe("every change re-evaluates the waiting actions within a second", () => {
  it("limits, the switch, the breaker, a cooldown, thresholds and approvals: reasons stay true, slots are used", async () => {
    await fillTheHour();
    await goLive(db.pool);
    await start();
    const backlog = await insertBacklog(20);
    await waitUntilSettled(30_000);
    expect(await reasonsOf(backlog.keys())).toEqual({ [lineReason(10, 50)]: 20 });

    // A raised limit: the three most valuable run now, and the rest quote the new number.
    await asAdmin("select autoexec.update_settings(hourly_limit => 13)");
    await waitFor(async () => (await statusCounts()).EXECUTED === 13, SOON_MS, { what: "3 more executions" });
    await waitUntilSettled(5_000);
    expect(await reasonsOf(backlog.keys())).toEqual({ [lineReason(13, 50)]: 17 });

    await asAdmin("select autoexec.update_settings(enabled => false)");
    await waitForReasons(
      backlog.keys(),
      { "auto-execution is switched off (settings.enabled)": 17 },
      "the reasons to say the switch is off",
    );
    await asAdmin("select autoexec.update_settings(enabled => true)");
    await waitForReasons(backlog.keys(), { [lineReason(13, 50)]: 17 }, "the reasons to say the line again");

    // A cooldown an admin ends: audited, and the line's reason is back.
    await db.pool.query("update autoexec.engine_state set cooldown_until = now() + interval '1 hour'");
    await asAdmin("select autoexec.update_settings(min_revenue_impact => 0.2)"); // any change wakes the line
    await waitFor(
      async () => Object.keys(await reasonsOf(backlog.keys()))[0]?.startsWith("cooling down") === true,
      SOON_MS,
      {
        what: "the reasons to say cooling down",
        describe: async () => JSON.stringify(await reasonsOf(backlog.keys())),
      },
    );
    await expect(asAdmin("select autoexec.clear_cooldown('  ')")).rejects.toThrow(/reason is required/);
    await asAdmin("select autoexec.clear_cooldown('the affiliate network is back')");
    await waitForReasons(
      backlog.keys(),
      { [lineReason(13, 50)]: 17 },
      "the line's reason after the cooldown",
    );
    expect(
      await scalar<string>(
        "select note from autoexec.audit_events where action = 'cooldown.cleared' and actor = 'alice'",
      ),
    ).toBe("the affiliate network is back");

    // Below the confidence threshold: waits for an admin, until the threshold is lowered.
    const doubtful = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool)),
      confidence: 0.6,
      impact: 500,
    });
    await waitFor(async () => (await getAction(db.pool, doubtful)).status_reason !== null, 2_000);
    expect((await getAction(db.pool, doubtful)).status_reason).toBe(
      "confidence 0.6 is not above the minimum 0.7; needs an admin",
    );
    await asAdmin("select autoexec.update_settings(min_confidence => 0.5, hourly_limit => 14)");
    // The most valuable action of all gets the one new slot.
    await waitFor(async () => (await getAction(db.pool, doubtful)).status === "EXECUTED", SOON_MS, {
      what: "the action below the old threshold to run",
    });
    await waitUntilSettled(5_000);
    expect(await reasonsOf(backlog.keys())).toEqual({ [lineReason(14, 50)]: 17 });

    // An approval never queues behind automatic work.
    const approved = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: await insertMod(db.pool), content: "More words." },
    });
    const approvedAt = Date.now();
    await asAdmin("select autoexec.approve_action($1, 'reviewed')", [approved]);
    await waitFor(async () => (await getAction(db.pool, approved)).status === "EXECUTED", SOON_MS, {
      what: "the approved action to execute",
      describe: async () => JSON.stringify(await getAction(db.pool, approved)),
    });
    expect(Date.now() - approvedAt).toBeLessThan(SOON_MS);
  }, 120_000);
});

describe("a change costs a write only for the actions whose wait changes", () => {
  it("new limits are worded when read (SQL and GraphQL); a disabled type moves its actions in batches", async () => {
    await fillTheHour();
    await goLive(db.pool);
    await start();
    const backlog = await insertBacklog(2_500);
    await waitUntilSettled(60_000);

    // A raised limit changes no action's kind of wait: nothing is rewritten, yet every reason is new.
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query("update autoexec.settings set hourly_limit = 12");
      expect(await scalar<number>("select autoexec_private.reevaluate_waiting()", [], client)).toBe(0);
      const { rows } = await client.query<{ reason: string; n: number }>(
        `select autoexec.actions_status_reason(a) as reason, count(*)::int as n from autoexec.actions a
         where status = 'PENDING' group by 1`,
      );
      expect(rows).toEqual([{ reason: lineReason(12, 50), n: 2_500 }]);
    } finally {
      await client.query("rollback");
      client.release();
    }

    // GraphQL's statusReason is the reason in force; writtenStatusReason what was written.
    await db.pool.query("update autoexec.settings set enabled = false");
    const api = await createTestApi(db);
    try {
      const { body } = await api.graphql(
        "query { allActions(first: 1, condition: { status: PENDING }) { nodes { statusReason writtenStatusReason } } }",
        {},
        await api.token("viewer"),
      );
      expect(body.data?.allActions).toEqual({
        nodes: [
          {
            statusReason: "auto-execution is switched off (settings.enabled)",
            writtenStatusReason: lineReason(10, 50),
          },
        ],
      });
    } finally {
      await api.close();
    }
    await db.pool.query("update autoexec.settings set enabled = true");

    // A disabled type: every reason says so at once; the kinds follow, a thousand per dispatcher run.
    await asAdmin("select autoexec.set_action_type_mode('ADD_AFFILIATE_LINK', 'disabled')");
    await waitForReasons(
      backlog.keys(),
      { "action type ADD_AFFILIATE_LINK is disabled": 2_500 },
      "the type's reason",
    );
    await waitFor(
      async () =>
        (await scalar<number>("select count(*)::int from autoexec.actions where wait_kind = 'type_off'")) ===
        2_500,
      // What is asserted is that the batches follow each other without any further change; how fast
      // is the benchmark's business (a loaded CI machine runs three dispatcher batches slowly).
      30_000,
      {
        what: "every action of the type to wait as type_off",
        describe: async () =>
          JSON.stringify(
            (
              await db.pool.query(
                "select wait_kind, count(*)::int from autoexec.actions group by 1 union all select task_identifier || ' ' || coalesce(last_error, '') || run_at::text, attempts from graphile_worker.jobs",
              )
            ).rows,
          ),
      },
    );
    expect(
      await scalar<number>(
        "select count(*)::int from autoexec.actions where wait_kind = 'type_off' and status_reason <> 'action type ADD_AFFILIATE_LINK is disabled'",
      ),
    ).toBe(0);
  }, 120_000);
});

describe("approvals do not queue behind the line", () => {
  it("an approved action executes while a dispatcher run is still open", async () => {
    await fillTheHour();
    await goLive(db.pool);
    await start();
    await insertBacklog(5);
    await waitUntilSettled(30_000);
    // A dispatcher run that has not committed yet (as a slow batch would be): it holds the slot lock.
    const dispatcher = await db.pool.connect();
    try {
      await dispatcher.query("begin");
      await dispatcher.query("select autoexec_private.dispatch_waiting()");
      const approved = await insertAction(db.pool, {
        type: "EXPAND_CONTENT",
        data: { modId: await insertMod(db.pool), content: "More words." },
      });
      await asAdmin("select autoexec.approve_action($1, 'reviewed')", [approved]);
      await waitFor(async () => (await getAction(db.pool, approved)).status === "EXECUTED", 2_000, {
        what: "the approved action to execute while the dispatcher's transaction is open",
      });
    } finally {
      await dispatcher.query("rollback");
      dispatcher.release();
    }
  }, 60_000);
});

/** A registry whose affiliate-link handler always throws while executing. */
const brokenHandlers = new Map(handlers).set("ADD_AFFILIATE_LINK", {
  ...(handlers.get("ADD_AFFILIATE_LINK") as ActionHandler),
  async execute() {
    throw new Error("affiliate network timed out");
  },
});
const attempt = (actionId: number, registry: ReadonlyMap<string, ActionHandler> = brokenHandlers) =>
  executeAction({ pool: db.pool, handlers: registry, log: db.log }, actionId).catch(() => undefined);

describe("freeze windows", () => {
  it("hold automatic execution and approvals until they end, show the end, are audited; force still runs", async () => {
    await fillTheHour();
    await goLive(db.pool);
    await start();
    const backlog = await insertBacklog(5);
    await waitUntilSettled(30_000);

    await expect(
      asAdmin("select autoexec.add_freeze_window(now() + interval '1 hour', now(), 'backwards')"),
    ).rejects.toThrow(/must end after it starts/);
    await expect(
      asAdmin("select autoexec.add_freeze_window(now(), now() + interval '1 hour', ' ')"),
    ).rejects.toThrow(/reason is required/);
    await asAdmin(
      "select autoexec.add_freeze_window(now() - interval '1 minute', now() + interval '2 hours', 'Black Friday sale week')",
    );
    const { rows } = await db.pool.query<{ id: number; until: string }>(
      "select id, autoexec_private.format_time(ends_at) as until from autoexec.freeze_windows",
    );
    const frozen = `automatic execution is frozen until ${rows[0]?.until} (Black Friday sale week)`;
    await waitForReasons(backlog.keys(), { [frozen]: 5 }, "the waiting actions to show the freeze");

    // An approval made during the window waits for its end, saying so; a forced execution runs.
    const approved = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: await insertMod(db.pool), content: "More words." },
    });
    await asAdmin("select autoexec.approve_action($1, 'reviewed')", [approved]);
    await waitFor(async () => (await getAction(db.pool, approved)).status_reason === frozen, 2_000, {
      what: "the approved action to wait for the window's end",
      describe: async () => JSON.stringify(await getAction(db.pool, approved)),
    });
    expect((await getAction(db.pool, approved)).status).toBe("APPROVED");
    const forced = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    expect(
      await executeAction({ pool: db.pool, handlers, log: db.log }, forced, {
        force: true,
        actor: "alice",
        reason: "the sale page needs it now",
      }),
    ).toMatchObject({ outcome: "executed" });

    // Ended early: the approval runs at once, the line's reason is back.
    await asAdmin("select autoexec.cancel_freeze_window($1, 'the sale ended early')", [rows[0]?.id]);
    await waitFor(async () => (await getAction(db.pool, approved)).status === "EXECUTED", SOON_MS, {
      what: "the approved action to run once the window ended",
    });
    await waitForReasons(backlog.keys(), { [lineReason(10, 50)]: 5 }, "the line's reason to return");
    const { rows: audit } = await db.pool.query(
      "select action, actor, note from autoexec.audit_events where subject_type = 'freeze_window' order by id",
    );
    expect(audit).toEqual([
      { action: "freeze.added", actor: "alice", note: "Black Friday sale week" },
      { action: "freeze.cancelled", actor: "alice", note: "the sale ended early" },
    ]);
  }, 60_000);
});

describe("cooldown and breaker judge the engine, not one action", () => {
  it("one action's retries count once: three failed attempts of one action start no cooldown", async () => {
    await goLive(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    for (let i = 0; i < 3; i++) await attempt(id);
    expect((await getAction(db.pool, id)).status).toBe("FAILED");
    expect(await scalar("select cooldown_until from autoexec.engine_state")).toBeNull();
    // Three different actions failing in a row do.
    for (let i = 0; i < 3; i++)
      await attempt(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    expect(await scalar("select cooldown_until from autoexec.engine_state")).not.toBeNull();
  });

  it("dry runs do not open the live breaker nor start a cooldown", async () => {
    await db.pool.query("update autoexec.settings set enabled = true, dry_run = true");
    for (let i = 0; i < 12; i++)
      await attempt(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    expect(
      await scalar<number>(
        "select count(*)::int from autoexec.execution_logs where mode = 'dry_run' and not success",
      ),
    ).toBeGreaterThanOrEqual(12);
    const { rows } = await db.pool.query("select breaker_open, cooldown_until from autoexec.engine_state");
    expect(rows[0]).toEqual({ breaker_open: false, cooldown_until: null });
  });

  it("a changed cooldown setting applies to the running cooldown", async () => {
    await goLive(db.pool);
    for (let i = 0; i < 3; i++)
      await attempt(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    const until = await scalar<Date>("select cooldown_until from autoexec.engine_state");
    expect(until.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    await asAdmin("select autoexec.update_settings(cooldown => '5 minutes')");
    const shortened = await scalar<Date>("select cooldown_until from autoexec.engine_state");
    expect(until.getTime() - shortened.getTime()).toBeCloseTo(55 * 60_000, -3);
  });
});

describe("per-type breakers and half-open probes", () => {
  const meta = async () =>
    insertAction(db.pool, {
      type: "UPDATE_META_DESCRIPTION",
      data: { modId: await insertMod(db.pool), metaDescription: "A better description." },
    });
  const link = async () => insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
  const typeBreaker = async () => {
    const { rows } = await db.pool.query(
      "select breaker_open, breaker_reason, probes_left from autoexec.type_breakers where type = 'ADD_AFFILIATE_LINK'",
    );
    return rows[0];
  };

  beforeEach(async () => {
    // The global breaker judges the last 100 actions, so one type's failures stay below its 20%.
    await goLive(db.pool, { failures_before_cooldown: 1_000, breaker_window: 100 });
    await backdateExecutions(
      db.pool,
      Array.from({ length: 40 }, (_, i) => minutesAgo(100 + i)),
      { type: "UPDATE_META_DESCRIPTION" },
    );
  });

  it("a type whose executions fail is paused alone, with an alert; other types go on", async () => {
    for (let i = 0; i < 4; i++) await attempt(await link());
    expect((await typeBreaker()).breaker_open).toBe(false); // 4 of 4 failed, but fewer than 5 ran
    await attempt(await link());
    expect(await typeBreaker()).toMatchObject({
      breaker_open: true,
      breaker_reason: "5 of the last 5 ADD_AFFILIATE_LINK executions failed (100% > 50%)",
    });
    expect(await scalar("select breaker_open from autoexec.engine_state")).toBe(false); // 5 of 45 actions failed: not above 20%
    expect(
      await scalar("select count(*)::int from autoexec.notifications where kind = 'type_breaker_opened'"),
    ).toBe(1);

    const paused = await link();
    expect((await getAction(db.pool, paused)).status_reason).toMatch(
      /^circuit breaker for ADD_AFFILIATE_LINK open since .*; an admin must reset it$/,
    );
    expect(await executeAction({ pool: db.pool, handlers, log: db.log }, await meta())).toMatchObject({
      outcome: "executed",
    });
  });

  it("after a reset the next executions are probes, one at a time; a failing probe re-opens at once", async () => {
    for (let i = 0; i < 5; i++) await attempt(await link());
    await asAdmin("select autoexec.reset_circuit_breaker('network fixed', type => 'ADD_AFFILIATE_LINK')");
    expect(await typeBreaker()).toMatchObject({ breaker_open: false, probes_left: 3 });
    expect(
      await scalar(
        "select new_values from autoexec.audit_events where action = 'breaker.reset' and subject_id = 'ADD_AFFILIATE_LINK'",
      ),
    ).toEqual({ open: false, probes: 3 });

    // One at a time: while a probe runs, a second execution of the type waits for it.
    const [first, second] = [await link(), await link()];
    const probing = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      await probing.query("begin");
      expect(
        (await probing.query("select decision from autoexec_private.start_execution($1, false)", [first]))
          .rows[0],
      ).toEqual({ decision: "run" });
      await other.query("begin; set local lock_timeout = '200ms'");
      await expect(
        other.query("select autoexec_private.start_execution($1, false)", [second]),
      ).rejects.toMatchObject({
        code: "55P03",
      });
    } finally {
      await other.query("rollback");
      await probing.query("rollback");
      other.release();
      probing.release();
    }

    // The first probe fails: open again, without waiting for five new failures.
    await attempt(first);
    expect(await typeBreaker()).toMatchObject({ breaker_open: true, probes_left: 0 });
    expect((await typeBreaker()).breaker_reason).toMatch(
      /^a probe after the reset failed \(action \d+: affiliate network timed out\)$/,
    );

    // Reset again; three good probes close it for good, and one later failure does not re-open it.
    await asAdmin("select autoexec.reset_circuit_breaker('really fixed', type => 'ADD_AFFILIATE_LINK')");
    for (let i = 0; i < 3; i++) {
      const outcome = await executeAction({ pool: db.pool, handlers, log: db.log }, await link());
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ outcome: "executed" });
    }
    expect(await typeBreaker()).toMatchObject({ breaker_open: false, probes_left: 0 });
    await attempt(await link());
    expect((await typeBreaker()).breaker_open).toBe(false);
  });

  it("with breaker_probes 0 a reset closes the breaker without probing; the settings are audited", async () => {
    await asAdmin("select autoexec.update_settings(breaker_probes => 0, type_breaker_failure_rate => 0.6)");
    expect(
      await scalar(
        "select new_values from autoexec.audit_events where action = 'settings.updated' order by id desc limit 1",
      ),
    ).toEqual({ breaker_probes: 0, type_breaker_failure_rate: 0.6 });
    // 3 of 5 failed is 60%: not above 60%.
    for (let i = 0; i < 2; i++) await executeAction({ pool: db.pool, handlers, log: db.log }, await link());
    for (let i = 0; i < 3; i++) await attempt(await link());
    expect((await typeBreaker()).breaker_open).toBe(false);
    await attempt(await link()); // 4 of 6: above
    expect((await typeBreaker()).breaker_open).toBe(true);
    await asAdmin("select autoexec.reset_circuit_breaker('fixed', type => 'ADD_AFFILIATE_LINK')");
    expect(await typeBreaker()).toMatchObject({ breaker_open: false, probes_left: 0 });
  });
});

describe("phase 3: a confident allowance", () => {
  it("apply_rollout_phase(3) gives confidence 0.9 and more its own 20 an hour; the forecast and reasons account for it", async () => {
    await fillTheHour(); // the general allowance's hour is full
    await asAdmin("select autoexec.apply_rollout_phase(3)");
    expect(
      (
        await db.pool.query(
          "select confident_min_confidence, confident_hourly_limit, confident_daily_limit from autoexec.settings",
        )
      ).rows[0],
    ).toEqual({ confident_min_confidence: 0.9, confident_hourly_limit: 20, confident_daily_limit: 100 });
    const run = (id: number) => executeAction({ pool: db.pool, handlers, log: db.log }, id);
    const propose = async (confidence: number) =>
      insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)), confidence });

    // At the threshold: its own allowance, which has room. Just below: the general one, which is full.
    expect(await run(await propose(0.9))).toMatchObject({ outcome: "executed" });
    const below = await propose(0.89);
    expect(await run(below)).toMatchObject({ outcome: "not_now", decision: "defer" });
    expect((await getAction(db.pool, below)).status_reason).toBe(
      "waiting in line for a rate-limit slot (10 per rolling hour, 50 per rolling 24 hours; confidence 0.9 or more: 20 and 100); the most valuable run first",
    );
    const { rows: logs } = await db.pool.query(
      "select allowance, count(*)::int as n from autoexec.execution_logs where success group by 1 order by 1",
    );
    expect(logs).toEqual([
      { allowance: "confident", n: 1 },
      { allowance: null, n: 10 },
    ]);

    // The confident allowance full too (19 more): a confident action waits, in its own part of the line.
    for (let i = 0; i < 19; i++)
      expect(await run(await propose(0.95))).toMatchObject({ outcome: "executed" });
    const confident = await propose(0.95);
    expect(await run(confident)).toMatchObject({ outcome: "not_now", decision: "defer" });
    const forecast = await scalar<string>(
      "select autoexec.actions_forecast(a) from autoexec.actions a where id = $1",
      [confident],
    );
    expect(forecast).toMatch(/^#1 of 1 in line; expected around \d\d:\d\d UTC$/); // the first confident execution + 1 h
    const line = await scalar<{ waiting: number; confident: { waiting: number; hourlyLimit: number } }>(
      "select autoexec.waiting_line_forecast()",
    );
    expect(line).toMatchObject({ waiting: 1, hourlyLimit: 10, confident: { waiting: 1, hourlyLimit: 20 } });

    // Back to phase 2: no confident allowance.
    await asAdmin("select autoexec.apply_rollout_phase(2)");
    expect(await scalar("select confident_min_confidence from autoexec.settings")).toBeNull();
  });
});

describe("the forecast", () => {
  it("gives each action in line its place and expected time, and the whole line's, in GraphQL", async () => {
    // Ten executions 55 to 46 minutes ago fill the hour: slots free 5, 6, 7 … minutes from now.
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, (_, i) => minutesAgo(55 - i)),
    );
    await goLive(db.pool);
    const impacts = [2, 9, 5];
    const ids: number[] = [];
    for (const impact of impacts) {
      const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)), impact });
      await executeAction({ pool: db.pool, handlers, log: db.log }, id); // refused: joins the line
      ids.push(id);
    }
    const { rows: times } = await db.pool.query<{ at: string }>(
      `select autoexec_private.format_forecast_time(executed_at + interval '1 hour') as at
       from autoexec.execution_logs where success order by executed_at limit 3`,
    );
    const api = await createTestApi(db);
    try {
      const token = await api.token("viewer");
      const { body } = await api.graphql(
        `query { allActions(condition: { status: PENDING }, orderBy: ID_ASC) { nodes { id forecast } }
                 waitingLineForecast }`,
        {},
        token,
      );
      const forecasts = Object.fromEntries(
        ((body.data?.allActions ?? { nodes: [] }) as { nodes: { id: number; forecast: string }[] }).nodes.map(
          (n) => [n.id, n.forecast],
        ),
      );
      // Highest value first: impact 9, then 5, then 2.
      expect(forecasts).toEqual({
        [ids[1] as number]: `#1 of 3 in line; expected around ${times[0]?.at}`,
        [ids[2] as number]: `#2 of 3 in line; expected around ${times[1]?.at}`,
        [ids[0] as number]: `#3 of 3 in line; expected around ${times[2]?.at}`,
      });
      expect(body.data?.waitingLineForecast).toMatchObject({
        waiting: 3,
        hourlyLimit: 10,
        dailyLimit: 50,
        heldBy: null,
        drainsAtText: times[2]?.at,
      });
      // The switch off: the line has no forecast, and says why.
      await db.pool.query("update autoexec.settings set enabled = false");
      const off = await api.graphql("query { waitingLineForecast }", {}, token);
      expect(off.body.data?.waitingLineForecast).toMatchObject({
        waiting: 3,
        heldBy: "auto-execution is switched off (settings.enabled)",
        nextSlotAt: null,
        runsToday: 0,
      });
    } finally {
      await api.close();
    }
  });
});

describe("the forecast and limits of an action's own", () => {
  it("an action whose key or type is at its limit is expected when the limit allows it, and says so", async () => {
    // The hour is full (slots free 5, 6, 7 minutes from now); shop:42 ran 2 hours ago.
    await backdateExecutions(db.pool, [hoursAgo(2)], { rateLimitKey: "shop:42" });
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, (_, i) => minutesAgo(55 - i)),
    );
    await goLive(db.pool);
    await db.pool.query("update autoexec.settings set rate_limit_key_limit = 1");
    const line: Record<string, number> = {};
    for (const [name, impact, rateLimitKey] of [
      ["keyed", 9, "shop:42"],
      ["second", 5, undefined],
      ["third", 2, undefined],
    ] as const) {
      const id = await insertAction(db.pool, {
        data: amazonLink(await insertMod(db.pool)),
        impact,
        rateLimitKey,
      });
      await executeAction({ pool: db.pool, handlers, log: db.log }, id); // refused by the full hour: joins the line
      line[name] = id;
    }
    /** The forecast's wording of `sql`'s time. */
    const at = (sql: string) => scalar<string>(`select autoexec_private.format_forecast_time(${sql})`);
    const executed = (n: number) =>
      `(select executed_at from autoexec.execution_logs order by executed_at offset ${n} limit 1)`;
    const forecasts = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(line).map(async ([name, id]) => [
            name,
            await scalar<string>(
              "select autoexec.actions_forecast(a) from autoexec.actions a where id = $1",
              [id],
            ),
          ]),
        ),
      );

    // Its key allows one per 24 hours and ran 2 hours ago: the most valuable waits until the key frees.
    // The others keep the slots of their places (the forecast does not move them earlier).
    expect(await forecasts()).toEqual({
      keyed: `#1 of 3 in line; expected around ${await at(`${executed(0)} + interval '24 hours'`)}, when the limit for shop:42 allows 1 per 24 hours`,
      second: `#2 of 3 in line; expected around ${await at(`${executed(2)} + interval '1 hour'`)}`,
      third: `#3 of 3 in line; expected around ${await at(`${executed(3)} + interval '1 hour'`)}`,
    });
    expect(await scalar("select autoexec.waiting_line_forecast() ->> 'drainsAtText'")).toBe(
      await at(`${executed(0)} + interval '24 hours'`),
    );

    // The type's daily cap of 12 has room for one more (11 ran in 24 hours): the first of the type runs
    // at its slot, the next when the oldest of the 24 hours leaves them, the third when the second does.
    await db.pool.query("update autoexec.settings set rate_limit_key_limit = 100");
    await db.pool.query("update autoexec.action_types set daily_cap = 12 where type = 'ADD_AFFILIATE_LINK'");
    expect(await forecasts()).toEqual({
      keyed: `#1 of 3 in line; expected around ${await at(`${executed(1)} + interval '1 hour'`)}`,
      second: `#2 of 3 in line; expected around ${await at(`${executed(0)} + interval '24 hours'`)}, when the daily cap for ADD_AFFILIATE_LINK allows 12 per rolling 24 hours`,
      third: `#3 of 3 in line; expected around ${await at(`${executed(1)} + interval '24 hours'`)}, when the daily cap for ADD_AFFILIATE_LINK allows 12 per rolling 24 hours`,
    });
    expect(await scalar("select autoexec.waiting_line_forecast() ->> 'drainsAtText'")).toBe(
      await at(`${executed(1)} + interval '24 hours'`),
    );

    // A cap of 0: not expected to run, and the line never drains.
    await db.pool.query("update autoexec.action_types set daily_cap = 0 where type = 'ADD_AFFILIATE_LINK'");
    expect((await forecasts()).keyed).toBe(
      "#1 of 3 in line; not expected to run: the daily cap for ADD_AFFILIATE_LINK allows 0 per rolling 24 hours (raise it to let it run)",
    );
    expect(await scalar("select autoexec.waiting_line_forecast() ->> 'drainsAtText'")).toBe(
      "never: a limit of 0 holds some",
    );
  });
});

describe("found alongside", () => {
  it("setActionTypeMode without a daily cap leaves the cap as it is", async () => {
    await asAdmin("select autoexec.set_action_type_mode('ADD_AFFILIATE_LINK', 'dry_run', 5)");
    await asAdmin("select autoexec.set_action_type_mode('ADD_AFFILIATE_LINK', 'live')");
    expect(
      await scalar("select daily_cap from autoexec.action_types where type = 'ADD_AFFILIATE_LINK'"),
    ).toBe(5);
  });

  it("the per-key reason says '3 per 24 hours'", async () => {
    await goLive(db.pool);
    await backdateExecutions(db.pool, [minutesAgo(300), minutesAgo(200), minutesAgo(100)], {
      rateLimitKey: "mod:7",
    });
    const id = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool)),
      rateLimitKey: "mod:7",
    });
    await attempt(id, handlers);
    expect((await getAction(db.pool, id)).status_reason).toMatch(
      /^limit for mod:7 reached \(3 per 24 hours\); next try at /,
    );
  });

  it("the stats per type name attempts, successes and failures so they cannot be misread", async () => {
    await goLive(db.pool);
    await backdateExecutions(db.pool, [minutesAgo(5)]);
    await backdateExecutions(db.pool, [minutesAgo(4), minutesAgo(3)], { success: false });
    const stats = await scalar<{ byType: Record<string, unknown> }>("select autoexec.execution_stats()");
    expect(stats.byType).toEqual({
      ADD_AFFILIATE_LINK: { attempts: 3, succeeded: 1, failed: 2, rolledBack: 0 },
    });
  });
});
