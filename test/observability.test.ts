import { describe, expect, it } from "vitest";
import { createPool } from "../src/db/pool.ts";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import { startWorker } from "../src/worker.ts";
import { createWorkerMetrics } from "../src/worker-status.ts";
import { databaseForTests } from "./support/db.ts";
import { amazonLink, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { apiForTests, loginUrl } from "./support/http.ts";
import { asRole } from "./support/roles.ts";
import { waitFor } from "./support/wait.ts";
import { spawnWorker, stopWorker, waitForListeners } from "./support/worker-process.ts";

const db = databaseForTests();
const api = apiForTests(db);

/** The value of one sample line of the Prometheus text, e.g. sample(text, 'autoexec_workers'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/healthz and /readyz", () => {
  it("healthz answers without a token and without touching the database", async () => {
    const response = await api.rest("GET", "/healthz", { token: null });
    expect(response).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("readyz is 200 with no worker running: the API stays in service and says workers are missing", async () => {
    const without = await api.rest("GET", "/readyz", { token: null });
    expect(without.status).toBe(200);
    expect(without.body).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok", workers: "no worker has reported in the last 30 s" },
    });

    const workerPool = createPool(await loginUrl(db, "autoexec_worker"), db.log, 6);
    const worker = await startWorker({ pool: workerPool, log: db.log, concurrency: 2 });
    try {
      const ready = await api.rest("GET", "/readyz", { token: null });
      expect(ready).toMatchObject({
        status: 200,
        body: { status: "ready", checks: { workers: "1 running" } },
      });
    } finally {
      await worker.stop();
      await workerPool.end();
    }
    expect((await api.rest("GET", "/readyz", { token: null })).status).toBe(200);
  });

  it("readyz reports a migration the database lacks", async () => {
    await db.pool.query("delete from autoexec_private.migrations where name = '009_observability.sql'");
    try {
      const response = await api.rest("GET", "/readyz", { token: null });
      expect(response.status).toBe(503);
      expect(response.body.checks.migrations).toBe("pending: 009_observability.sql");
    } finally {
      await db.pool.query(
        "insert into autoexec_private.migrations (name, checksum) values ('009_observability.sql', 'restored')",
      );
    }
  });
});

describe("/metrics", () => {
  it("reports executions, durations, actions, breaker, headroom and jobs in Prometheus format", async () => {
    await goLive(db.pool);
    const run = (id: number) => executeAction({ pool: db.pool, handlers, log: db.log }, id);
    await run(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    await run(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    await run(await insertAction(db.pool, { data: amazonLink(999_999) })); // mod not found: INVALID
    await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: 1, content: "x" } });
    await db.pool.query("update autoexec.engine_state set breaker_open = true, breaker_reason = 'test'");

    const response = await api.rest("GET", "/metrics", { token: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = response.text;
    expect(
      sample(
        text,
        'autoexec_executions_total{type="ADD_AFFILIATE_LINK",tier="1",mode="live",outcome="success"}',
      ),
    ).toBe(2);
    expect(sample(text, 'autoexec_execution_duration_seconds_count{mode="live"}')).toBe(2);
    expect(sample(text, 'autoexec_execution_duration_seconds_bucket{mode="live",le="+Inf"}')).toBe(2);
    expect(sample(text, 'autoexec_actions{status="EXECUTED",tier="1"}')).toBe(2);
    expect(sample(text, 'autoexec_actions{status="INVALID",tier="1"}')).toBe(1);
    expect(sample(text, 'autoexec_actions{status="PENDING",tier="2"}')).toBe(1);
    expect(sample(text, "autoexec_circuit_breaker_open")).toBe(1);
    expect(sample(text, 'autoexec_rate_limit_headroom{window="hour"}')).toBe(8);
    expect(sample(text, 'autoexec_rate_limit_headroom{window="day"}')).toBe(48);
    expect(sample(text, 'autoexec_jobs{state="queued"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, "autoexec_execution_retries_total")).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toMatch(/autoexec_server_/);
    expect(sample(text, "autoexec_engine_figures_up")).toBe(1);
    await db.pool.query("update autoexec.engine_state set breaker_open = false, breaker_reason = null");
  });

  it("counts rollbacks, the oldest waiting actions and HTTP requests by route", async () => {
    await goLive(db.pool);
    const run = (id: number) => executeAction({ pool: db.pool, handlers, log: db.log }, id);
    const before = (await api.rest("GET", "/metrics", { token: null })).text;
    const executed = await run(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    if (executed.outcome !== "executed") throw new Error(`not executed: ${JSON.stringify(executed)}`);
    const rollback = await api.rest("POST", "/api/monetization/execute/rollback", {
      body: { executionLogId: executed.executionLogId, reason: "metrics test" },
    });
    expect(rollback.status, rollback.text).toBe(200);
    const tier2 = await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: 1, content: "y" } });
    await db.pool.query("update autoexec.actions set created_at = now() - interval '2 hours' where id = $1", [
      tier2,
    ]);
    await api.rest("GET", "/api/monetization/execution/stats");
    await api.rest("GET", "/no/such/route/42");

    const text = (await api.rest("GET", "/metrics", { token: null })).text;
    const delta = (series: string) => (sample(text, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('autoexec_rollbacks_total{type="ADD_AFFILIATE_LINK"}')).toBe(1);
    expect(sample(text, 'autoexec_oldest_waiting_action_seconds{tier="2"}')).toBeGreaterThan(7000);
    expect(
      sample(
        text,
        'autoexec_http_requests_total{method="GET",route="/api/monetization/execution/stats",status="200"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'autoexec_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain("/no/such/route");
    expect(text).toMatch(
      /^autoexec_http_request_duration_seconds_bucket\{.*route="\/api\/monetization\/execute\/rollback"/m,
    );
  });

  it("a worker's /metrics has the time to execute of its live successes, by tier, as the execution computed it", async () => {
    await goLive(db.pool);
    await db.pool.query("update autoexec.action_types set mode = 'live', daily_cap = null where tier = 2");
    // No pool: the sample comes with the execution's outcome, the metrics query nothing.
    const metrics = createWorkerMetrics();
    const deps = { pool: db.pool, handlers, log: db.log };
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await db.pool.query(
      "update autoexec.actions set created_at = now() - interval '90 seconds' where id = $1",
      [actionId],
    );
    const tier1 = await executeAction(deps, actionId);
    expect(tier1).toMatchObject({ outcome: "executed", timeToExecute: { tier: 1 } });
    metrics.countExecution(tier1);
    metrics.countExecution(
      await executeAction(deps, await insertAction(db.pool, { data: amazonLink(999_999) })),
    );
    // Tier 2 counts from the approval, not from the proposal.
    const expansion = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: await insertMod(db.pool, { body: "Original body." }), content: "More words." },
    });
    await asRole(db.pool, "autoexec_admin", "alice", (client) =>
      client.query("select * from autoexec.approve_action($1, 'reads well')", [expansion]),
    );
    await db.pool.query("update autoexec.actions set created_at = now() - interval '2 days' where id = $1", [
      expansion,
    ]);
    const tier2 = await executeAction(deps, expansion);
    expect(tier2).toMatchObject({ outcome: "executed", timeToExecute: { tier: 2 } });
    metrics.countExecution(tier2);
    // An admin's forced execution is no time to execute of the engine's.
    const forced = await executeAction(
      deps,
      await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }),
      {
        force: true,
        actor: "alice",
        reason: "now, please",
      },
    );
    expect(forced).toMatchObject({ outcome: "executed", timeToExecute: null });
    metrics.countExecution(forced);
    const text = await metrics.registry.metrics();
    expect(text).toContain("# TYPE autoexec_time_to_execute_seconds histogram");
    expect(sample(text, 'autoexec_time_to_execute_seconds_count{tier="1"}')).toBe(1);
    expect(sample(text, 'autoexec_time_to_execute_seconds_bucket{le="60",tier="1"}')).toBe(0);
    expect(sample(text, 'autoexec_time_to_execute_seconds_bucket{le="300",tier="1"}')).toBe(1);
    expect(sample(text, 'autoexec_time_to_execute_seconds_sum{tier="1"}')).toBeGreaterThanOrEqual(90);
    expect(sample(text, 'autoexec_time_to_execute_seconds_count{tier="2"}')).toBe(1);
    expect(sample(text, 'autoexec_time_to_execute_seconds_bucket{le="60",tier="2"}')).toBe(1);
    expect(sample(text, 'autoexec_worker_executions_total{outcome="executed_live"}')).toBe(3);
    expect(sample(text, 'autoexec_worker_executions_total{outcome="invalid"}')).toBe(1);
  });

  it("says with autoexec_engine_figures_up 0 when the engine's figures cannot be read", async () => {
    await db.pool.query("revoke execute on function autoexec.observability_snapshot() from autoexec_viewer");
    try {
      const text = (await api.rest("GET", "/metrics", { token: null })).text;
      expect(sample(text, "autoexec_engine_figures_up")).toBe(0);
      expect(text).not.toMatch(/^autoexec_workers /m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    } finally {
      await db.pool.query("grant execute on function autoexec.observability_snapshot() to autoexec_viewer");
    }
  });
});

describe("logs", () => {
  it("are JSON with the action id and the job id on every execution line", async () => {
    await goLive(db.pool);
    const worker = spawnWorker(db.url, { LOG_LEVEL: "info" });
    try {
      await waitForListeners(db.pool, 1, [worker]);
      const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      await waitFor(() => worker.output.join("").includes('"msg":"action executed"'), 10_000, {
        what: "the execution log line",
      });
      const line = worker.output
        .join("")
        .split("\n")
        .map((text) => (text.startsWith("{") ? JSON.parse(text) : undefined))
        .find((entry) => entry?.msg === "action executed");
      expect(line).toMatchObject({ actionId, jobId: expect.any(Number), mode: "live", level: 30 });
    } finally {
      await stopWorker(worker);
    }
  });
});
