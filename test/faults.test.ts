import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../src/db/embedded.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool } from "../src/db/pool.ts";
import { secretKey, signToken } from "../src/http/jwt.ts";
import { createTestDatabase, testLog } from "./support/db.ts";
import {
  amazonLink,
  getAction,
  goLive,
  insertAction,
  insertEligibleActions,
  insertMod,
} from "./support/fixtures.ts";
import { TEST_JWT_SECRET } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";
import { spawnWorker, stopWorker, type WorkerProcess, waitForListeners } from "./support/worker-process.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track(worker: WorkerProcess): WorkerProcess {
  cleanups.push(() => stopWorker(worker));
  return worker;
}

async function executionCounts(pool: pg.Pool) {
  const { rows } = await pool.query(
    `select count(*)::int as logs, count(distinct action_id)::int as actions,
       count(*) filter (where success and mode = 'live')::int as live_successes
     from autoexec.execution_logs`,
  );
  return rows[0];
}

async function allExecuted(pool: pg.Pool, ids: number[]): Promise<boolean> {
  const { rows } = await pool.query(
    "select count(*)::int as n from autoexec.actions where id = any($1) and status = 'EXECUTED'",
    [ids],
  );
  return rows[0].n === ids.length;
}

describe("a worker SIGKILLed in the middle of an execution", () => {
  it("loses nothing and executes nothing twice", async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await goLive(db.pool);
    const modId = await insertMod(db.pool);

    // An editor holds the mod's row, so the execution stops inside its transaction, mid-handler.
    const editor = await db.pool.connect();
    cleanups.push(async () => editor.release());
    await editor.query("begin");
    await editor.query("select * from content.mods where id = $1 for update", [modId]);

    const victim = track(spawnWorker(db.url, { WORKER_CONCURRENCY: "1" }));
    await waitForListeners(db.pool, 1, [victim]);
    const actionId = await insertAction(db.pool, { data: amazonLink(modId) });
    await waitForExecutionBlockedOnLock(db.pool);

    victim.child.kill("SIGKILL");
    await new Promise((resolve) => victim.child.once("exit", resolve));
    await editor.query("commit");
    // The dead worker's backend finds its client gone and rolls the execution back.
    await waitFor(
      async () => {
        const { rows } = await db.pool.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'autoexec' and pid <> pg_backend_pid() and state <> 'idle'",
        );
        return rows[0].n === 0;
      },
      10_000,
      { what: "the dead worker's transaction to end" },
    );
    const { rows: before } = await db.pool.query(
      "select status, execution_attempts from autoexec.actions where id = $1",
      [actionId],
    );
    expect(before[0]).toEqual({ status: "PENDING", execution_attempts: 0 });
    expect(await executionCounts(db.pool)).toEqual({ logs: 0, actions: 0, live_successes: 0 });

    // Its job is still locked by the dead worker; the sweep frees jobs locked longer than stale_job_after.
    await db.pool.query("update autoexec.settings set stale_job_after = '1 second'");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { rows: swept } = await db.pool.query("select autoexec_private.sweep() as result");
    expect(swept[0].result.unlockedWorkers).toBe(1);

    const survivor = track(spawnWorker(db.url));
    await waitFor(() => allExecuted(db.pool, [actionId]), 15_000, {
      what: "the survivor to execute the action",
    });
    expect(await executionCounts(db.pool)).toEqual({ logs: 1, actions: 1, live_successes: 1 });
    const { rows: mod } = await db.pool.query(
      "select jsonb_array_length(affiliate_links) as n from content.mods where id = $1",
      [modId],
    );
    expect(mod[0].n).toBe(1);
    expect(survivor.child.exitCode).toBeNull();
  });
});

describe("a worker told to stop with an execution in flight", () => {
  it("finishes it first; a second signal stops it at once", async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await goLive(db.pool);
    const editor = await db.pool.connect();
    cleanups.push(async () => editor.release());
    /** A worker whose execution of a new action waits on a row lock the editor holds. */
    const workerMidExecution = async () => {
      const modId = await insertMod(db.pool);
      await editor.query("begin");
      await editor.query("select * from content.mods where id = $1 for update", [modId]);
      const worker = track(spawnWorker(db.url, { WORKER_CONCURRENCY: "1", LOG_LEVEL: "info" }));
      await waitForListeners(db.pool, 1, [worker]);
      const actionId = await insertAction(db.pool, { data: amazonLink(modId) });
      await waitForExecutionBlockedOnLock(db.pool);
      const exited = once(worker.child, "exit");
      return { worker, actionId, exited };
    };
    const stopping = (worker: WorkerProcess) => worker.output.join("").includes("stopping:");

    const graceful = await workerMidExecution();
    graceful.worker.child.kill("SIGTERM");
    await waitFor(() => stopping(graceful.worker), 10_000, { what: "the worker to start stopping" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(graceful.worker.child.exitCode).toBeNull(); // still waiting for its execution
    await editor.query("commit");
    expect(await graceful.exited).toEqual([0, null]);
    expect((await getAction(db.pool, graceful.actionId)).status).toBe("EXECUTED");

    const forced = await workerMidExecution();
    forced.worker.child.kill("SIGTERM");
    await waitFor(() => stopping(forced.worker), 10_000, { what: "the worker to start stopping" });
    forced.worker.child.kill("SIGINT");
    expect(await forced.exited).toEqual([null, "SIGINT"]);
    await editor.query("commit");
    // Its transaction never commits; the action waits for the sweep to free its job, as after a SIGKILL.
    expect((await getAction(db.pool, forced.actionId)).status).toBe("PENDING");
    expect(await executionCounts(db.pool)).toEqual({ logs: 1, actions: 1, live_successes: 1 });
  });
});

describe("the database going away for a while", () => {
  it("workers and the server recover on their own once it is back; nothing is lost or executed twice", {
    timeout: 150_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-outage-"));
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const settings = { fsync: "off", synchronous_commit: "off" };
    let postgres: EmbeddedDatabase = await startEmbeddedPostgres({
      dataDir: `${dataDir}/pg`,
      log: testLog,
      serverSettings: settings,
    });
    cleanups.push(() => postgres.stop());
    const port = postgres.port;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query("create database outage");
    await admin.end();
    const url = postgres.url.replace(/\/postgres$/, "/outage");
    const pool = createPool(url, testLog, 4);
    cleanups.push(() => pool.end());
    await migrate(pool, testLog);
    await goLive(pool, { hourly_limit: 1000, daily_limit: 1000 });

    const workers = [track(spawnWorker(url)), track(spawnWorker(url))];
    await waitForListeners(pool, 2, workers);
    const api = await startApiServer(url);

    const propose = async (count: number) => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++)
        ids.push(await insertAction(pool, { data: amazonLink(await insertMod(pool)) }));
      return ids;
    };
    // Stop the server while the workers are in the middle of a backlog.
    const first = await insertEligibleActions(pool, 200);
    await waitFor(async () => (await executionCounts(pool)).logs > 0, 10_000, {
      what: "the first executions",
    });
    await postgres.stop();
    // Meanwhile workers and server see connection errors; the server answers, but is not ready.
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({
      status: "unavailable",
      checks: { database: "unreachable" },
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    postgres = await startEmbeddedPostgres({
      dataDir: `${dataDir}/pg`,
      port,
      log: testLog,
      serverSettings: settings,
    });

    const second = await waitForDatabase(() => propose(20));
    await waitFor(() => allExecuted(pool, [...first, ...second]), 60_000, {
      what: "every action after the restart",
      describe: async () =>
        `${JSON.stringify(await statusCounts(pool))}; worker exit codes ${workers.map((w) => w.child.exitCode)}; ${workers.map((w) => w.output.join("").slice(-600)).join(" | ")}`,
    });
    const counts = await executionCounts(pool);
    expect(counts).toMatchObject({ actions: 220, live_successes: 220 });
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();

    // The server answers again without a restart: ready, and its GraphQL sees every execution.
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, 30_000, { what: "readyz" });
    const token = await signToken({ role: "viewer", sub: "oncall" }, secretKey(TEST_JWT_SECRET));
    const answer = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ allActions(condition: { status: EXECUTED }) { totalCount } }" }),
    });
    expect(await answer.json()).toEqual({ data: { allActions: { totalCount: 220 } } });
    expect(api.child.exitCode).toBeNull();
  });
});

/** `node src/bin/server.ts` on `databaseUrl`, as an operator runs it; resolves once it listens. */
async function startApiServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["src/bin/server.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: "0",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
  let url: string | undefined;
  await waitFor(
    () => {
      url = output.join("").match(/"health":"(http:\/\/[^"]+)\/healthz"/)?.[1];
      return url !== undefined;
    },
    30_000,
    { what: "the API server to listen", describe: () => output.join("").slice(-1000) },
  );
  return { url: url as string, child };
}

async function statusCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query(
    "select status, count(*)::int as n from autoexec.actions group by status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** Retries `work` while the restarted server still refuses connections. */
async function waitForDatabase<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Waits until one backend of this database waits on a lock: an execution stopped mid-handler. */
async function waitForExecutionBlockedOnLock(pool: pg.Pool): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await pool.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return rows[0].n === 1;
    },
    10_000,
    { what: "the execution to block on the mod's row lock" },
  );
}
