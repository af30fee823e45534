import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { goLive, insertEligibleActions } from "./support/fixtures.ts";
import { waitFor } from "./support/wait.ts";
import { spawnWorker, stopWorker, type WorkerProcess, waitForListeners } from "./support/worker-process.ts";

const PROCESSES = 3;

let db: TestDatabase;
let workers: WorkerProcess[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  const codes = await Promise.all(workers.map(stopWorker));
  const crashed = workers.filter((_, index) => codes[index] !== 0);
  workers = [];
  await db.drop();
  // A worker that did not stop cleanly on SIGTERM is a failure too.
  expect(crashed.map((worker) => worker.output.join(""))).toEqual([]);
});

/** Starts the worker processes and waits until each one listens for new jobs. */
async function startWorkers(count = PROCESSES): Promise<void> {
  workers = Array.from({ length: count }, () => spawnWorker(db.url));
  await waitForListeners(db.pool, count, workers);
}

async function statusCounts(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>(
    "select status, count(*)::int as n from autoexec.actions group by status order by status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** execute_action jobs that are running or due: none means the workers have nothing left to do now. */
async function activeJobs(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from graphile_worker.jobs
     where task_identifier = 'execute_action' and (locked_at is not null or run_at <= now())`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Waits until no execute_action job is running or due: every action has executed, or waits for a later
 * time (a deferral or a retry's backoff). Then the outcome can be asserted exactly, without waiting out
 * a timeout when it is wrong.
 */
async function waitUntilSettled(timeoutMs: number, takers = new Set<string>()): Promise<void> {
  await waitFor(
    async () => {
      await noteJobTakers(takers);
      return (await activeJobs()) === 0;
    },
    timeoutMs,
    { what: "the workers to finish", describe: async () => JSON.stringify(await statusCounts()) },
  );
}

/** Adds the worker pools (one per process) that hold a job right now to `takers`. */
async function noteJobTakers(takers: Set<string>): Promise<void> {
  const { rows } = await db.pool.query<{ locked_by: string }>(
    "select distinct locked_by from graphile_worker.jobs where locked_by is not null",
  );
  for (const row of rows) takers.add(row.locked_by);
}

async function scalar<T>(sql: string, on: Pick<pg.Pool, "query"> = db.pool): Promise<T> {
  const { rows } = await on.query(sql);
  return Object.values(rows[0] ?? {})[0] as T;
}

describe(`${PROCESSES} worker processes on one database`, () => {
  it("execute 200 actions exactly once each", async () => {
    await goLive(db.pool, { hourly_limit: 100_000, daily_limit: 100_000, rate_limit_key_limit: 100_000 });
    await startWorkers();
    const ids = await insertEligibleActions(db.pool, 200);

    const takers = new Set<string>();
    await waitUntilSettled(40_000, takers);

    expect(await statusCounts()).toEqual({ EXECUTED: 200 });
    expect(takers.size, "every process was seen holding jobs").toBe(PROCESSES);
    const { rows: perAction } = await db.pool.query<{ action_id: number; live: number; total: number }>(
      `select a.id as action_id,
         count(l.id) filter (where l.success and l.mode = 'live')::int as live,
         count(l.id)::int as total
       from autoexec.actions a left join autoexec.execution_logs l on l.action_id = a.id
       group by a.id order by a.id`,
    );
    expect(perAction).toEqual(ids.map((id) => ({ action_id: id, live: 1, total: 1 })));
    expect(await scalar<number>("select count(*)::int from autoexec.execution_logs")).toBe(200);
    expect(
      await scalar<number>(
        "select count(*)::int from content.mods where jsonb_array_length(affiliate_links) = 1",
      ),
    ).toBe(200);
    expect(await scalar<number>("select count(*)::int from content.mods")).toBe(200);
  });

  it("never exceed the hourly limit together, and the rest wait in line for when the window frees", async () => {
    await goLive(db.pool, { hourly_limit: 10, daily_limit: 50 });
    await startWorkers();
    const ids = await insertEligibleActions(db.pool, 40);

    await waitUntilSettled(30_000);

    expect(await statusCounts()).toEqual({ EXECUTED: 10, PENDING: 30 });
    expect(await scalar<number>("select count(*)::int from autoexec.execution_logs")).toBe(10);
    expect(
      await scalar<number>(
        "select count(*)::int from autoexec.execution_logs where success and mode = 'live'",
      ),
    ).toBe(10);
    expect(
      await scalar<number>(
        "select count(*)::int from content.mods where jsonb_array_length(affiliate_links) = 1",
      ),
    ).toBe(10);

    // Every other action waits in the line, holding no job; the line's one dispatcher is scheduled for
    // when the oldest execution of the hour leaves the window.
    const firstExecutedAt = await scalar<Date>("select min(executed_at) from autoexec.execution_logs");
    const { rows: waiting } = await db.pool.query<{
      id: number;
      deferred_until: Date | null;
      status_reason: string;
      wait_kind: string;
      jobs: number;
    }>(
      `select a.id, a.deferred_until, a.status_reason, a.wait_kind,
         (select count(*)::int from graphile_worker.jobs j where j.key = 'execute_action:' || a.id) as jobs
       from autoexec.actions a where a.status = 'PENDING' order by a.id`,
    );
    expect(waiting).toHaveLength(30);
    for (const action of waiting) {
      expect(ids).toContain(action.id);
      expect(action).toMatchObject({
        deferred_until: null,
        wait_kind: "line",
        jobs: 0,
        status_reason:
          "waiting in line for a rate-limit slot (10 per rolling hour, 50 per rolling 24 hours); the most valuable run first",
      });
    }
    const dispatcher = await scalar<Date>(
      "select run_at from graphile_worker.jobs where key = 'autoexec:dispatch_waiting' and locked_at is null",
    );
    expect(dispatcher).toEqual(new Date(firstExecutedAt.getTime() + 3_600_000));

    // No rolling hour, ending at any execution, holds more than 10 live automatic executions.
    const busiestHour = await scalar<number>(
      `select max((select count(*) from autoexec.execution_logs w
                   where w.success and w.mode = 'live' and w.executed_by = 'auto'
                     and w.executed_at > l.executed_at - interval '1 hour' and w.executed_at <= l.executed_at))::int
       from autoexec.execution_logs l
       where l.success and l.mode = 'live' and l.executed_by = 'auto'`,
    );
    expect(busiestHour).toBe(10);
  });
});
