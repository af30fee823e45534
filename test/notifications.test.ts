import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Runner } from "graphile-worker";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { asRole } from "./support/roles.ts";
import { waitFor } from "./support/wait.ts";

const CHANNEL = "autoexec_notifications";

// Every test gets a fresh database (engine state, notifications and jobs start empty) and its own worker.
let db: TestDatabase;
let runner: Runner | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await db.drop();
});

async function start(options: { handlers?: ReadonlyMap<string, ActionHandler> } = {}): Promise<void> {
  runner = await startWorker({ pool: db.pool, log: db.log, concurrency: 4, pollInterval: 100, ...options });
}

/** ADD_AFFILIATE_LINK whose execution always throws. */
const failingHandlers = new Map(handlers).set("ADD_AFFILIATE_LINK", {
  ...(handlers.get("ADD_AFFILIATE_LINK") as ActionHandler),
  async execute() {
    throw new Error("simulated outage");
  },
});

/** The announcement on the channel: the id only (any role may LISTEN; the texts are in the table). */
interface Published {
  id: number;
}

/** A separate connection LISTENing on the documented channel; collects what it receives. */
async function listen(): Promise<Published[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(() => client.end());
  const received: Published[] = [];
  client.on("notification", (message) => {
    if (message.channel === CHANNEL) received.push(JSON.parse(message.payload ?? "null"));
  });
  await client.query(`listen ${CHANNEL}`);
  return received;
}

interface NotificationRow {
  id: number;
  kind: string;
  severity: string;
  message: string;
  payload: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
  delivered_at: Date | null;
  delivery_error: string | null;
}

async function notifications(): Promise<NotificationRow[]> {
  const { rows } = await db.pool.query<NotificationRow>(
    `select id, kind, severity, message, payload, created_at, read_at, delivered_at, delivery_error
     from autoexec.notifications order by id`,
  );
  return rows;
}

/**
 * Waits until the listener got the id of a notification of `kind`, then checks that it is the only
 * notification recorded and that exactly its id was announced.
 */
async function expectPublishedOnce(received: Published[], kind: string): Promise<NotificationRow> {
  await waitFor(
    async () =>
      (await notifications()).some(
        (row) => row.kind === kind && received.some((message) => message.id === row.id),
      ),
    15_000,
    { what: `the id of a ${kind} notification on ${CHANNEL}`, describe: () => JSON.stringify(received) },
  );
  const rows = await notifications();
  expect(rows.map((row) => row.kind)).toEqual([kind]);
  const row = rows[0] as NotificationRow;
  expect(received).toEqual([{ id: row.id }]);
  return row;
}

interface JobRow {
  id: number;
  key: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked: boolean;
  /** run_at minus the database clock when read (after the failure that set run_at), in milliseconds. */
  due_in_ms: number;
}

/** graphile-worker's jobs of one task, optionally only those whose payload has `field` = `id`. */
async function jobsOf(task: string, payloadId?: { field: string; id: number }): Promise<JobRow[]> {
  const { rows } = await db.pool.query<JobRow>(
    `select j.id, j.key, j.attempts, j.max_attempts, j.last_error, j.locked_at is not null as locked,
       (extract(epoch from j.run_at - clock_timestamp()) * 1000)::float8 as due_in_ms
     from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = $1 and ($2::text is null or (j.payload ->> $2)::bigint = $3)
     order by j.id`,
    [task, payloadId?.field ?? null, payloadId?.id ?? null],
  );
  return rows;
}

/** Waits until the job has failed `attempt` times and is back in the queue, waiting out its backoff. */
async function waitForFailedJob(jobs: () => Promise<JobRow[]>, attempt: number): Promise<JobRow> {
  let found: JobRow | undefined;
  await waitFor(
    async () => {
      const rows = await jobs();
      found = rows.length === 1 && rows[0]?.attempts === attempt && !rows[0].locked ? rows[0] : undefined;
      return found !== undefined;
    },
    10_000,
    { what: `attempt ${attempt} to fail` },
  );
  return found as JobRow;
}

/** Skips a job's backoff instead of waiting it out. */
async function runNow(jobId: number): Promise<void> {
  await db.pool.query("select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => now())", [jobId]);
}

async function proposeLinks(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
  return ids;
}

async function formatTime(at: string): Promise<string> {
  const { rows } = await db.pool.query("select autoexec_private.format_time($1::timestamptz) as at", [at]);
  return rows[0].at;
}

describe(`every kind is recorded and published on ${CHANNEL}`, () => {
  it("tier2_executed: an admin approves an EXPAND_CONTENT and the worker executes it", async () => {
    const received = await listen();
    await goLive(db.pool);
    const modId = await insertMod(db.pool, { body: "Original body." });
    const id = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "More words." },
    });
    await asRole(db.pool, "autoexec_admin", "alice", (client) =>
      client.query("select autoexec.approve_action($1)", [id]),
    );
    await start();

    const row = await expectPublishedOnce(received, "tier2_executed");
    const { rows: logs } = await db.pool.query(
      "select id from autoexec.execution_logs where action_id = $1",
      [id],
    );
    expect(row).toMatchObject({
      severity: "info",
      message: `Approved action ${id} (EXPAND_CONTENT) was executed`,
      payload: { actionId: id, type: "EXPAND_CONTENT", executionLogId: logs[0].id, approvedBy: "alice" },
      read_at: null,
    });
  });

  it("circuit_breaker_opened: more than the allowed share of recent executions threw", async () => {
    const received = await listen();
    // Three failures are enough to judge, and no cooldown gets in the way.
    await goLive(db.pool, {
      breaker_min_executions: 3,
      breaker_failure_rate: 0.5,
      failures_before_cooldown: 100,
    });
    await start({ handlers: failingHandlers });
    await proposeLinks(3);

    const row = await expectPublishedOnce(received, "circuit_breaker_opened");
    expect(row).toMatchObject({
      severity: "critical",
      message:
        "Circuit breaker opened: 3 of the last 3 executions failed (100% > 50%). " +
        "All auto-execution is paused until an admin resets it.",
      payload: { failed: 3, total: 3 },
    });
    const { rows } = await db.pool.query("select breaker_open from autoexec.engine_state");
    expect(rows[0].breaker_open).toBe(true);
  });

  it("cooldown_started: failures_before_cooldown executions failed in a row", async () => {
    const received = await listen();
    await goLive(db.pool); // failures_before_cooldown 3, cooldown 60 minutes
    await start({ handlers: failingHandlers });
    await proposeLinks(3);

    const row = await expectPublishedOnce(received, "cooldown_started");
    const until = row.payload.until as string;
    expect(row).toMatchObject({
      severity: "warning",
      message: `3 executions failed in a row; execution pauses until ${await formatTime(until)}`,
      payload: { failuresInARow: 3, until },
    });
    const { rows } = await db.pool.query(
      "select cooldown_until, extract(epoch from cooldown_until - now())::int as seconds from autoexec.engine_state",
    );
    expect(rows[0].cooldown_until).toEqual(new Date(until));
    expect(rows[0].seconds).toBeGreaterThan(59 * 60);
    expect(rows[0].seconds).toBeLessThanOrEqual(60 * 60);
  });

  it("action_failed: an action failed for good after 3 attempts (and not before)", async () => {
    const received = await listen();
    await goLive(db.pool, { failures_before_cooldown: 100 });
    await start({ handlers: failingHandlers });
    const [id] = (await proposeLinks(1)) as [number];
    const jobs = () => jobsOf("execute_action", { field: "actionId", id });

    for (const attempt of [1, 2]) {
      const job = await waitForFailedJob(jobs, attempt);
      expect(received).toEqual([]);
      await runNow(job.id);
    }

    const row = await expectPublishedOnce(received, "action_failed");
    expect(row).toMatchObject({
      severity: "warning",
      message: `Action ${id} (ADD_AFFILIATE_LINK) failed 3 times: simulated outage`,
      payload: { actionId: id, type: "ADD_AFFILIATE_LINK", error: "simulated outage" },
    });
  });
});

interface Delivery {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/** A webhook receiver on 127.0.0.1 that answers `statuses` in turn, then 200. */
async function startReceiver(statuses: number[] = []): Promise<{ url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const answers = [...statuses];
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    deliveries.push({
      method: request.method ?? "",
      path: request.url ?? "",
      contentType: request.headers["content-type"],
      body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
    });
    // No keep-alive: a pooled connection to an earlier test's receiver (closed, maybe on the same port)
    // must not turn into a network error here.
    response.writeHead(answers.shift() ?? 200, { connection: "close" }).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/autoexec`, deliveries };
}

async function setWebhook(url: string | null): Promise<void> {
  await db.pool.query("update autoexec.settings set webhook_url = $1", [url]);
}

/** Records a notice the way the engine does (autoexec_private.notify); returns its id. */
async function notify(): Promise<number> {
  const { rows } = await db.pool.query(
    `select autoexec_private.notify('circuit_breaker_opened', 'critical', 'Circuit breaker opened: test',
       '{"failed": 3, "total": 3}') as id`,
  );
  return rows[0].id;
}

async function notification(id: number): Promise<NotificationRow> {
  return (await notifications()).find((row) => row.id === id) as NotificationRow;
}

/** The JSON body the webhook must receive for the notification. */
function expectedBody(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    message: row.message,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  };
}

describe("webhook delivery by the deliver_notification task", () => {
  const deliveryJobs = (notificationId: number) =>
    jobsOf("deliver_notification", { field: "notificationId", id: notificationId });

  it("POSTs the notification as JSON to the webhook and records delivered_at", async () => {
    const receiver = await startReceiver();
    await setWebhook(receiver.url);
    const id = await notify();
    expect((await deliveryJobs(id)).map(({ key, max_attempts }) => ({ key, max_attempts }))).toEqual([
      { key: `deliver_notification:${id}`, max_attempts: 10 },
    ]);
    await start();

    await waitFor(async () => (await notification(id)).delivered_at !== null, 10_000, { what: "delivery" });
    await waitFor(async () => (await deliveryJobs(id)).length === 0, 5_000, { what: "the job to complete" });
    const row = await notification(id);
    expect(row.delivery_error).toBeNull();
    expect(receiver.deliveries).toEqual([
      { method: "POST", path: "/hooks/autoexec", contentType: "application/json", body: expectedBody(row) },
    ]);
    expect(row.payload).toEqual({ failed: 3, total: 3 });
  });

  it("retries a receiver that fails at first with backoff, then delivers once and clears the error", async () => {
    const receiver = await startReceiver([500, 500]);
    await setWebhook(receiver.url);
    await start();
    const id = await notify();

    for (const attempt of [1, 2]) {
      const job = await waitForFailedJob(() => deliveryJobs(id), attempt);
      const { delivered_at, delivery_error } = await notification(id);
      expect({
        lastError: job.last_error,
        dueInMs: job.due_in_ms,
        delivered_at,
        delivery_error,
        deliveries: receiver.deliveries.length,
      }).toEqual({
        lastError: "webhook answered HTTP 500",
        // graphile-worker backs off exp(attempts) seconds before the next attempt.
        dueInMs: expect.toSatisfy((ms: number) => ms > 0 && ms <= Math.exp(attempt) * 1000 + 1, "backoff"),
        delivered_at: null,
        delivery_error: "webhook answered HTTP 500",
        deliveries: attempt,
      });
      await runNow(job.id);
    }

    await waitFor(async () => (await notification(id)).delivered_at !== null, 10_000, { what: "delivery" });
    await waitFor(async () => (await deliveryJobs(id)).length === 0, 5_000, { what: "the job to complete" });
    const row = await notification(id);
    expect(row.delivery_error).toBeNull();
    expect(receiver.deliveries).toEqual(
      Array.from({ length: 3 }, () => ({
        method: "POST",
        path: "/hooks/autoexec",
        contentType: "application/json",
        body: expectedBody(row),
      })),
    );
  });

  it("queues no delivery when no webhook is set", async () => {
    await setWebhook(null);
    const received = await listen();
    const id = await notify();
    await waitFor(() => received.length === 1, 5_000, { what: "the notification to be published" });
    expect(await jobsOf("deliver_notification")).toEqual([]);
    expect(await notification(id)).toMatchObject({ delivered_at: null, delivery_error: null });
  });
});

describe("autoexec.mark_notifications_read", () => {
  const markRead = (role: "autoexec_admin" | "autoexec_viewer", ids: number[]) =>
    asRole(db.pool, role, "alice", async (client) => {
      const { rows } = await client.query<{ id: number; read_at: Date }>(
        "select id, read_at from autoexec.mark_notifications_read($1) order by id",
        [ids],
      );
      return rows;
    });

  it("sets read_at for an admin, once, and only on the notifications named", async () => {
    const [first, second, third] = [await notify(), await notify(), await notify()];
    const marked = await markRead("autoexec_admin", [first, second]);
    expect(marked.map((row) => row.id)).toEqual([first, second]);
    const rows = await notifications();
    expect(rows.map((row) => row.read_at)).toEqual([marked[0]?.read_at, marked[1]?.read_at, null]);
    expect(marked[0]?.read_at).toBeInstanceOf(Date);

    // Already read: not marked again, read_at keeps the first time.
    expect(await markRead("autoexec_admin", [first, third])).toEqual([
      { id: third, read_at: expect.any(Date) },
    ]);
    expect((await notification(first)).read_at).toEqual(marked[0]?.read_at);
  });

  it("is refused to a viewer", async () => {
    const id = await notify();
    await expect(markRead("autoexec_viewer", [id])).rejects.toThrow(
      /permission denied for function mark_notifications_read/,
    );
    expect((await notification(id)).read_at).toBeNull();
  });
});
