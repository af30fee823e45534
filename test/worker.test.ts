import type { Runner } from "graphile-worker";
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPool } from "../src/db/pool.ts";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  getAction,
  goLive,
  insertAction,
  insertMod,
  minutesAgo,
} from "./support/fixtures.ts";
import { asRole } from "./support/roles.ts";
import { waitFor } from "./support/wait.ts";

// Every test gets a fresh database (settings, rolling windows and jobs start empty) and its own worker.
let db: TestDatabase;
let runner: Runner | undefined;

beforeEach(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  await db.drop();
});

async function start(
  options: { handlers?: ReadonlyMap<string, ActionHandler>; pool?: pg.Pool } = {},
): Promise<void> {
  runner = await startWorker({ pool: db.pool, log: db.log, concurrency: 4, pollInterval: 100, ...options });
}

interface JobRow {
  id: number;
  key: string | null;
  run_at: Date;
  attempts: number;
  last_error: string | null;
  locked: boolean;
  /** run_at minus the database clock when read (after the failure that set run_at), in milliseconds. */
  due_in_ms: number;
}

/** The action's execute_action jobs (with or without the engine's job key). */
async function jobsOf(actionId: number, on: Pick<pg.Pool, "query"> = db.pool): Promise<JobRow[]> {
  const { rows } = await on.query<JobRow>(
    `select j.id, j.key, j.run_at, j.attempts, j.last_error, j.locked_at is not null as locked,
       (extract(epoch from j.run_at - clock_timestamp()) * 1000)::float8 as due_in_ms
     from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'execute_action' and (j.payload ->> 'actionId')::bigint = $1
     order by j.id`,
    [actionId],
  );
  return rows;
}

/** execute_action batch jobs (payload lists), oldest first, with the action ids they carry. */
async function batchJobs(): Promise<
  Array<{
    key: string | null;
    attempts: number;
    locked: boolean;
    lastError: string | null;
    actionIds: number[];
  }>
> {
  const { rows } = await db.pool.query(
    `select j.key, j.attempts, j.locked_at is not null as locked, j.last_error as "lastError",
       array(select (item ->> 'actionId')::int from json_array_elements(j.payload) item) as "actionIds"
     from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'execute_action' and json_typeof(j.payload) = 'array'
     order by j.id`,
  );
  return rows;
}

async function sweepResult(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query("select autoexec_private.sweep() as result");
  return rows[0].result;
}

interface LogRow {
  id: number;
  mode: string;
  success: boolean;
  attempt: number;
  executed_by: string;
  error_message: string | null;
  executed_at: Date;
}

async function logsOf(actionId: number): Promise<LogRow[]> {
  const { rows } = await db.pool.query<LogRow>(
    `select id, mode, success, attempt, executed_by, error_message, executed_at
     from autoexec.execution_logs where action_id = $1 order by id`,
    [actionId],
  );
  return rows;
}

async function affiliateLinks(modId: number): Promise<Array<Record<string, unknown>>> {
  const { rows } = await db.pool.query("select affiliate_links from content.mods where id = $1", [modId]);
  return rows[0].affiliate_links;
}

async function statusOf(actionId: number): Promise<string> {
  return (await getAction(db.pool, actionId)).status;
}

/** Waits until the action has left the queue: no job of it is waiting or running any more. */
async function waitUntilNoJobs(actionId: number, timeoutMs = 5_000): Promise<void> {
  await waitFor(async () => (await jobsOf(actionId)).length === 0, timeoutMs, {
    what: `the jobs of action ${actionId} to finish`,
  });
}

/** Inserts an action as the agent's database role does it, in its own transaction. */
async function proposeAsAgent(data: Record<string, unknown>): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query("begin");
    await client.query("set local role autoexec_agent");
    const { rows } = await client.query<{ id: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       values ('ADD_AFFILIATE_LINK', $1, 0.9, 5) returning id`,
      [JSON.stringify(data)],
    );
    await client.query("commit");
    return rows[0]?.id as number;
  } finally {
    client.release();
  }
}

describe("the in-process worker", () => {
  it("executes an eligible Tier 1 action the agent inserts, within a few seconds", async () => {
    await goLive(db.pool);
    await start();
    const modId = await insertMod(db.pool);
    const started = Date.now();
    const id = await proposeAsAgent(amazonLink(modId));

    await waitFor(async () => (await statusOf(id)) === "EXECUTED", 5_000, {
      what: `action ${id} to execute`,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitUntilNoJobs(id);

    const logs = await logsOf(id);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ mode: "live", success: true, attempt: 1, executed_by: "auto" });
    const links = await affiliateLinks(modId);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({
      url: amazonLink(modId).affiliateUrl,
      actionId: id,
      addedBy: "autoexec",
    });
    expect(await getAction(db.pool, id)).toMatchObject({ execution_attempts: 1, status_reason: null });
  });

  it("refuses to start while a handler's tier disagrees with autoexec.action_types", async () => {
    const adSlot = handlers.get("ADD_AD_SLOT") as ActionHandler;
    const wrongTier = new Map(handlers).set("ADD_AD_SLOT", { ...adSlot, tier: 1 });
    await expect(start({ handlers: wrongTier })).rejects.toThrow(
      "ADD_AD_SLOT's handler says Tier 1, autoexec.action_types says Tier 2",
    );
    const unknown = new Map(handlers).set("NOT_A_TYPE", { ...adSlot, type: "NOT_A_TYPE" });
    await expect(start({ handlers: unknown })).rejects.toThrow("NOT_A_TYPE has a handler but no row");
    // The table decides: once it says Tier 1 too, the same registry starts.
    await db.pool.query("update autoexec.action_types set tier = 1 where type = 'ADD_AD_SLOT'");
    await start({ handlers: wrongTier });
  });

  it("commits the worker's executions without waiting for the disk, and a direct caller's with it", async () => {
    // The handler reads synchronous_commit inside the execution transaction.
    const real = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
    const seen: string[] = [];
    const observing = new Map(handlers).set("ADD_AFFILIATE_LINK", {
      ...real,
      async execute(ctx, data) {
        const { rows } = await ctx.db.query<{ value: string }>(
          "select current_setting('synchronous_commit') as value",
        );
        seen.push(rows[0]?.value ?? "");
        return real.execute(ctx, data);
      },
    });
    // The test server runs with synchronous_commit off; these connections have the production default.
    const pool = createPool(db.url, db.log, 6, { settings: { synchronous_commit: "on" } });
    try {
      await goLive(db.pool);
      await start({ handlers: observing, pool });
      const byWorker = await proposeAsAgent(amazonLink(await insertMod(db.pool)));
      await waitFor(async () => (await statusOf(byWorker)) === "EXECUTED", 5_000, {
        what: `action ${byWorker} to execute`,
      });
      await runner?.stop();
      runner = undefined;

      // The HTTP API calls the executor directly, and its answer must mean the execution is on disk.
      const direct = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      expect(await executeAction({ pool, handlers: observing, log: db.log }, direct)).toMatchObject({
        outcome: "executed",
      });
      expect(seen).toEqual(["off", "on"]);
      // The setting was the transaction's own: the connections are back to their default.
      const { rows } = await pool.query<{ value: string }>(
        "select current_setting('synchronous_commit') as value",
      );
      expect(rows[0]?.value).toBe("on");
    } finally {
      await runner?.stop();
      runner = undefined;
      await pool.end();
    }
  });

  it("executes a job delivered twice, and a concurrent direct call, exactly once", async () => {
    await goLive(db.pool);
    await start();
    // Several actions at once, so that the deliveries of one action really do overlap in the worker's slots.
    const modIds = await Promise.all(Array.from({ length: 8 }, () => insertMod(db.pool)));
    const client = await db.pool.connect();
    const ids: number[] = [];
    try {
      await client.query("begin");
      for (const modId of modIds) {
        const id = await insertAction(client, { data: amazonLink(modId) }); // enqueues execute_action:<id>
        // A second delivery of the same action, under another (no) job key.
        await client.query(
          "select graphile_worker.add_job('execute_action', json_build_object('actionId', $1::bigint))",
          [id],
        );
        ids.push(id);
      }
      await client.query("commit");
    } finally {
      client.release();
    }
    const direct = await Promise.all(
      ids.map((id) => executeAction({ pool: db.pool, handlers, log: db.log }, id)),
    );

    for (const [index, id] of ids.entries()) {
      await waitFor(async () => (await statusOf(id)) === "EXECUTED", 5_000, {
        what: `action ${id} to execute`,
      });
      await waitUntilNoJobs(id);
      const logs = await logsOf(id);
      expect(logs).toHaveLength(1); // one live success, and no failed attempt from a losing delivery
      expect(logs[0]).toMatchObject({ mode: "live", success: true, attempt: 1 });
      expect(await affiliateLinks(modIds[index] as number)).toHaveLength(1);
      expect(await getAction(db.pool, id)).toMatchObject({ execution_attempts: 1, status_reason: null });
      const outcome = direct[index];
      if (outcome?.outcome === "executed") {
        expect(outcome.executionLogId).toBe(logs[0]?.id);
      } else {
        expect(outcome).toEqual({
          outcome: "not_now",
          decision: "skip",
          reason: "action is EXECUTED",
          retryAt: null,
        });
      }
    }
  });

  it("retries a throwing handler with backoff and ends the action FAILED after 3 attempts", async () => {
    const real = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
    const failing = new Map(handlers).set("ADD_AFFILIATE_LINK", {
      ...real,
      // Changes the page, then throws: the change must be rolled back with the attempt.
      async execute(ctx, data) {
        await real.execute(ctx, data);
        throw new Error("simulated outage");
      },
    });
    await goLive(db.pool);
    await start({ handlers: failing });
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId) });

    for (const attempt of [1, 2]) {
      const job = await waitForFailedJob(id, attempt);
      // graphile-worker backs off exp(attempts) seconds: e^1 ≈ 2.7 s, then e^2 ≈ 7.4 s.
      expect(job.due_in_ms).toBeGreaterThan(attempt === 1 ? 0 : 2_800);
      expect(job.due_in_ms).toBeLessThanOrEqual(Math.exp(attempt) * 1000);
      expect(job.last_error).toBe(`attempt ${attempt} failed: simulated outage`);
      expect(await getAction(db.pool, id)).toMatchObject({
        status: "PENDING",
        execution_attempts: attempt,
        status_reason: `attempt ${attempt} of 3 failed (simulated outage); retrying`,
      });
      expect(await affiliateLinks(modId)).toEqual([]);
      // Skip the backoff instead of waiting it out.
      await db.pool.query("select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => now())", [
        job.id,
      ]);
    }

    await waitFor(async () => (await statusOf(id)) === "FAILED", 5_000, { what: `action ${id} to fail` });
    await waitUntilNoJobs(id);
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "FAILED",
      execution_attempts: 3,
      status_reason: "failed 3 times; last error: simulated outage",
    });
    const logs = await logsOf(id);
    expect(
      logs.map(({ mode, success, attempt, error_message }) => ({ mode, success, attempt, error_message })),
    ).toEqual(
      [1, 2, 3].map((attempt) => ({
        mode: "live",
        success: false,
        attempt,
        error_message: "simulated outage",
      })),
    );
    expect(await affiliateLinks(modId)).toEqual([]);
    const { rows: notifications } = await db.pool.query(
      "select severity, message, payload from autoexec.notifications where kind = 'action_failed'",
    );
    expect(notifications).toEqual([
      {
        severity: "warning",
        message: `Action ${id} (ADD_AFFILIATE_LINK) failed 3 times: simulated outage`,
        payload: { actionId: id, type: "ADD_AFFILIATE_LINK", error: "simulated outage" },
      },
    ]);
  });

  it("only settings.max_attempts ends an action: a budget above graphile-worker's default of 25 is used whole", async () => {
    const failing = new Map(handlers).set("ADD_AFFILIATE_LINK", {
      ...(handlers.get("ADD_AFFILIATE_LINK") as ActionHandler),
      async execute() {
        throw new Error("simulated outage");
      },
    });
    await goLive(db.pool, { max_attempts: 27 });
    await start({ handlers: failing });
    const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    for (let attempt = 1; attempt < 27; attempt++) {
      const job = await waitForFailedJob(id, attempt);
      await db.pool.query("select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => now())", [
        job.id,
      ]);
    }
    await waitFor(async () => (await statusOf(id)) === "FAILED", 5_000, { what: `action ${id} to fail` });
    await waitUntilNoJobs(id);
    expect(await getAction(db.pool, id)).toMatchObject({
      execution_attempts: 27,
      status_reason: "failed 27 times; last error: simulated outage",
    });
  });

  it("runs actions one statement inserted in batch jobs of up to 25, and retries only the one that failed", async () => {
    const real = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
    const modIds: number[] = [];
    for (let index = 0; index < 27; index++) modIds.push(await insertMod(db.pool));
    const failingMod = modIds[4] as number;
    const failing = new Map(handlers).set("ADD_AFFILIATE_LINK", {
      ...real,
      async execute(ctx, data: { modId: number }) {
        const result = await real.execute(ctx, data);
        if (data.modId === failingMod) throw new Error("simulated outage");
        return result;
      },
    });
    await goLive(db.pool, { hourly_limit: 100, daily_limit: 100 });
    const { rows } = await asRole(db.pool, "autoexec_agent", "agent", (client) =>
      client.query<{ id: number }>(
        `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
         select 'ADD_AFFILIATE_LINK', jsonb_build_object('modId', m.id, 'affiliateType', 'amazon',
                  'affiliateUrl', 'https://www.amazon.com/dp/B000TEST?tag=musthavemods'), 0.9, 5
         from unnest($1::bigint[]) with ordinality m (id, n) order by n
         returning id`,
        [modIds],
      ),
    );
    const ids = rows.map((row) => row.id).sort((a, b) => a - b);
    const failingId = ids[4] as number;

    // Two batch jobs, in insert order, keyed by the actions they carry; the sweep sees they are queued.
    const batchKey = (batch: number[]) => `execute_actions:${batch.join(",")}`;
    expect(await batchJobs()).toEqual([
      {
        key: batchKey(ids.slice(0, 25)),
        attempts: 0,
        locked: false,
        lastError: null,
        actionIds: ids.slice(0, 25),
      },
      { key: batchKey(ids.slice(25)), attempts: 0, locked: false, lastError: null, actionIds: ids.slice(25) },
    ]);
    expect(await sweepResult()).toMatchObject({ enqueued: 0 });

    await start({ handlers: failing });
    const others = ids.filter((id) => id !== failingId);
    await waitFor(
      async () => {
        const { rows } = await db.pool.query<{ count: number }>(
          "select count(*)::int as count from autoexec.actions where id = any($1) and status = 'EXECUTED'",
          [others],
        );
        const jobs = await batchJobs();
        return rows[0]?.count === others.length && jobs.length === 1 && !jobs[0]?.locked;
      },
      5_000,
      {
        what: "every other action to execute and the failed one to be back in the queue",
        describe: async () =>
          JSON.stringify({
            jobs: await batchJobs(),
            actions: (
              await db.pool.query(
                "select id, status, status_reason from autoexec.actions where id = any($1) order by id",
                [ids],
              )
            ).rows,
          }),
      },
    );
    // Only the failed action is left in the job, waiting out graphile-worker's backoff.
    const [retry] = await batchJobs();
    expect(retry).toMatchObject({ key: batchKey(ids.slice(0, 25)), attempts: 1, actionIds: [failingId] });
    expect(retry?.lastError).toContain(`attempt 1 failed: simulated outage`);
    expect(await getAction(db.pool, failingId)).toMatchObject({ status: "PENDING", execution_attempts: 1 });
    expect(await affiliateLinks(failingMod)).toEqual([]);
    expect(await sweepResult()).toMatchObject({ enqueued: 0 });
  });

  it("leaves an action waiting while the switch is off, and runs it once the switch is turned on", async () => {
    await db.pool.query("update autoexec.settings set dry_run = false"); // enabled stays false
    await start();
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId) });

    // It waits from the start, holding no job.
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "PENDING",
      status_reason: "auto-execution is switched off (settings.enabled)",
      deferred_until: null,
    });
    expect(await jobsOf(id)).toEqual([]);
    expect(await logsOf(id)).toEqual([]);

    // The settings trigger wakes the waiting line's dispatcher in the transaction that turns the switch on.
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query("update autoexec.settings set enabled = true");
      const { rows } = await client.query(
        "select key from graphile_worker.jobs where key = 'autoexec:dispatch_waiting' and run_at <= now()",
      );
      expect(rows).toHaveLength(1);
      await client.query("commit");
    } finally {
      client.release();
    }
    await waitFor(async () => (await statusOf(id)) === "EXECUTED", 5_000, {
      what: `action ${id} to execute`,
    });
    expect(await affiliateLinks(modId)).toHaveLength(1);
    expect((await logsOf(id)).map((log) => [log.mode, log.success])).toEqual([["live", true]]);
  });

  it("runs the sweep task: expires a stale action and re-enqueues an eligible one whose job was lost", async () => {
    await goLive(db.pool);
    await start();
    const eligibleMod = await insertMod(db.pool);
    const staleMod = await insertMod(db.pool);
    const { eligible, stale } = await insertWithoutJobs(eligibleMod, staleMod);
    expect(await jobsOf(eligible)).toEqual([]);
    expect(await jobsOf(stale)).toEqual([]);

    await db.pool.query("select graphile_worker.add_job('sweep', '{}'::json)");
    await waitFor(async () => (await statusOf(eligible)) === "EXECUTED", 5_000, {
      what: "the lost action to run",
    });
    await waitFor(async () => (await statusOf(stale)) === "EXPIRED", 5_000, {
      what: "the stale action to expire",
    });

    expect((await getAction(db.pool, stale)).status_reason).toMatch(
      /^expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC before it could run$/,
    );
    expect(await logsOf(stale)).toEqual([]);
    expect(await affiliateLinks(staleMod)).toEqual([]);
    expect((await logsOf(eligible)).map((log) => [log.mode, log.success])).toEqual([["live", true]]);
    expect(await affiliateLinks(eligibleMod)).toHaveLength(1);
  });

  it("sweep() counts what it expired and enqueued, and leaves actions that still have a job alone", async () => {
    await goLive(db.pool);
    await start();
    const mods = [await insertMod(db.pool), await insertMod(db.pool), await insertMod(db.pool)];
    const client = await db.pool.connect();
    let ids: { eligible: number; stale: number; queued: number };
    try {
      // One transaction, so neither the worker nor the crontab's own sweep sees anything before we do.
      await client.query("begin");
      ids = {
        eligible: await insertAction(client, { data: amazonLink(mods[0] as number) }),
        stale: await insertAction(client, { data: amazonLink(mods[1] as number), expiresAt: minutesAgo(1) }),
        queued: await insertAction(client, { data: amazonLink(mods[2] as number) }),
      };
      await client.query("select graphile_worker.remove_job($1), graphile_worker.remove_job($2)", [
        `execute_action:${ids.eligible}`,
        `execute_action:${ids.stale}`,
      ]);
      const { rows } = await client.query("select autoexec_private.sweep() as result");
      expect(rows[0].result).toMatchObject({ expired: 1, enqueued: 1 });
      const { rows: keys } = await client.query(
        "select key from graphile_worker.jobs where task_identifier = 'execute_action' order by key",
      );
      expect(keys.map((row) => row.key).sort()).toEqual(
        [`execute_action:${ids.eligible}`, `execute_action:${ids.queued}`].sort(),
      );
      await client.query("commit");
    } finally {
      client.release();
    }

    for (const id of [ids.eligible, ids.queued]) {
      await waitFor(async () => (await statusOf(id)) === "EXECUTED", 5_000, {
        what: `action ${id} to execute`,
      });
    }
    expect(await statusOf(ids.stale)).toBe("EXPIRED");
    const { rows } = await db.pool.query("select autoexec_private.sweep() as result");
    expect(rows[0].result).toMatchObject({ expired: 0, enqueued: 0 });
  });

  it("sweep() counts a job that can run no more as none: it enqueues the actions of a permanently failed job", async () => {
    await goLive(db.pool);
    const [single, ...batch] = [await insertMod(db.pool), await insertMod(db.pool), await insertMod(db.pool)];
    const singleId = await insertAction(db.pool, { data: amazonLink(single as number) });
    const { rows } = await db.pool.query<{ id: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       select 'ADD_AFFILIATE_LINK', jsonb_build_object('modId', m.id, 'affiliateType', 'amazon',
                'affiliateUrl', 'https://www.amazon.com/dp/B000TEST?tag=musthavemods'), 0.9, 5
       from unnest($1::bigint[]) m (id) returning id`,
      [batch],
    );
    expect(await sweepResult()).toMatchObject({ enqueued: 0 });
    await db.pool.query(
      `select graphile_worker.permanently_fail_jobs(array(select id from graphile_worker.jobs
         where task_identifier = 'execute_action'), 'given up by hand')`,
    );
    expect(await sweepResult()).toMatchObject({ enqueued: 3 });
    for (const id of [singleId, ...rows.map((row) => row.id)]) {
      expect((await jobsOf(id)).filter((job) => job.attempts === 0).map((job) => job.key)).toEqual([
        `execute_action:${id}`,
      ]);
    }
  });

  it("sweep() is not thrown off by a malformed execute_action batch job", async () => {
    await goLive(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await db.pool.query("select graphile_worker.remove_job($1)", [`execute_action:${id}`]);
    // Added by hand, not by the engine: neither the key nor the items name an action.
    await db.pool.query(
      `select graphile_worker.add_job('execute_action', '[{}, {"actionId": "x"}, {"actionId": null}]'::json,
         job_key => 'execute_actions:x,')`,
    );
    expect(await sweepResult()).toMatchObject({ enqueued: 1 });
    expect((await jobsOf(id)).map((job) => job.key)).toEqual([`execute_action:${id}`]);
  });

  it("dry-runs while dry_run is on, then runs live once it is turned off", async () => {
    await db.pool.query("update autoexec.settings set enabled = true, dry_run = true");
    await start();
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId) });

    await waitFor(async () => (await logsOf(id)).length === 1, 5_000, {
      what: `the dry run of action ${id}`,
    });
    await waitUntilNoJobs(id);
    expect((await logsOf(id)).map((log) => [log.mode, log.success])).toEqual([["dry_run", true]]);
    const action = await getAction(db.pool, id);
    expect(action).toMatchObject({ status: "PENDING", execution_attempts: 0, deferred_until: null });
    expect(action.status_reason).toMatch(/^dry run succeeded at .* UTC; runs for real once dry run is off$/);
    expect(action.execution_result).toMatchObject({ success: true, dryRun: true });
    expect(await affiliateLinks(modId)).toEqual([]);
    // A dry-run action is not dry-run again by the sweep.
    const { rows } = await db.pool.query("select autoexec_private.sweep() as result");
    expect(rows[0].result).toMatchObject({ expired: 0, enqueued: 0 });

    await db.pool.query("update autoexec.settings set dry_run = false");
    await waitFor(async () => (await statusOf(id)) === "EXECUTED", 5_000, {
      what: `action ${id} to run live`,
    });
    expect((await logsOf(id)).map((log) => [log.mode, log.success])).toEqual([
      ["dry_run", true],
      ["live", true],
    ]);
    expect(await affiliateLinks(modId)).toHaveLength(1);
  });

  it("an action refused by the hourly limit waits in line, and the dispatcher is scheduled for when the window frees", async () => {
    // Seeded while the switch is off, so the seeded actions' own jobs can never execute them.
    const seeded = [50, 45, 40, 35, 30, 25, 20, 15, 10, 5].map(minutesAgo);
    await backdateExecutions(db.pool, [minutesAgo(90), ...seeded]); // the 90-minute one is outside the hour
    await goLive(db.pool);
    await start();
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId) });
    // The 10th newest execution in the hour (50 minutes ago) leaves the window one hour after it ran.
    const expected = new Date((seeded[0] as Date).getTime() + 3_600_000);
    const dispatcherRunAt = async () => {
      const { rows } = await db.pool.query<{ run_at: Date }>(
        "select run_at from graphile_worker.jobs where key = 'autoexec:dispatch_waiting' and locked_at is null",
      );
      return rows[0]?.run_at;
    };

    await waitFor(
      async () =>
        (await jobsOf(id)).length === 0 && (await dispatcherRunAt())?.getTime() === expected.getTime(),
      5_000,
      { what: `action ${id} to wait in line`, describe: async () => String(await dispatcherRunAt()) },
    );
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "PENDING",
      execution_attempts: 0,
      deferred_until: null,
      status_reason:
        "waiting in line for a rate-limit slot (10 per rolling hour, 50 per rolling 24 hours); the most valuable run first",
    });
    expect(await logsOf(id)).toEqual([]);
    expect(await affiliateLinks(modId)).toEqual([]);
  });
});

/** Waits until the action's job has failed `attempt` times and is back in the queue, waiting out its backoff. */
async function waitForFailedJob(actionId: number, attempt: number): Promise<JobRow> {
  let found: JobRow | undefined;
  await waitFor(
    async () => {
      const jobs = await jobsOf(actionId);
      found = jobs.length === 1 && jobs[0]?.attempts === attempt && !jobs[0].locked ? jobs[0] : undefined;
      return found !== undefined;
    },
    5_000,
    { what: `attempt ${attempt} of action ${actionId} to fail` },
  );
  return found as JobRow;
}

/** Inserts an eligible action and an already expired one, then removes their jobs (as if lost), in one transaction. */
async function insertWithoutJobs(
  eligibleMod: number,
  staleMod: number,
): Promise<{ eligible: number; stale: number }> {
  const client = await db.pool.connect();
  try {
    await client.query("begin");
    const eligible = await insertAction(client, { data: amazonLink(eligibleMod) });
    const stale = await insertAction(client, { data: amazonLink(staleMod), expiresAt: minutesAgo(1) });
    for (const id of [eligible, stale]) {
      await client.query("select graphile_worker.remove_job($1)", [`execute_action:${id}`]);
    }
    await client.query("commit");
    return { eligible, stale };
  } finally {
    client.release();
  }
}
