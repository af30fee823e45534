import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createPool } from "../src/db/pool.ts";
import { listenHttp, type PlainHttpServer } from "../src/http/serve.ts";
import { startWorker, type Worker } from "../src/worker.ts";
import { createWorkerMetrics, workerStatusApp } from "../src/worker-status.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, getAction, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { createTestApi, loginUrl, type TestApi } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// deploy/ names metrics in PromQL; a renamed or dropped metric would leave an alert that never
// fires and a panel that stays empty. Every name they use must be on a live /metrics: the API
// server's, or a worker's (WORKER_HTTP_PORT).
const ROOT = path.resolve(import.meta.dirname, "..");
const METRIC_NAME = /\b(?:autoexec|process|nodejs)_[a-z0-9_]+\b/g;

async function namedInDeploy(): Promise<Map<string, string>> {
  const rules = parse(await readFile(path.join(ROOT, "deploy/prometheus/autoexec-rules.yml"), "utf8")) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  const dashboard = JSON.parse(
    await readFile(path.join(ROOT, "deploy/grafana/autoexec-dashboard.json"), "utf8"),
  ) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const named = new Map<string, string>();
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    for (const name of rule.expr.match(METRIC_NAME) ?? []) named.set(name, `rule ${rule.alert}`);
  }
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      for (const name of target.expr.match(METRIC_NAME) ?? []) named.set(name, `panel "${panel.title}"`);
    }
  }
  return named;
}

let db: TestDatabase;
let api: TestApi;
let server: PlainHttpServer;
let worker: Worker;
let workerStatus: PlainHttpServer;
let workerPool: ReturnType<typeof createPool>;
beforeAll(async () => {
  db = await createTestDatabase();
  api = await createTestApi(db);
  server = await listenHttp(api.app.fetch, 0, "127.0.0.1");
  workerPool = createPool(await loginUrl(db, "autoexec_worker"), db.log, 6);
  const metrics = createWorkerMetrics();
  worker = await startWorker({ pool: workerPool, log: db.log, concurrency: 2, metrics, pollInterval: 200 });
  workerStatus = await listenHttp(
    workerStatusApp({ pool: workerPool, metrics, running: () => true }).fetch,
    0,
    "127.0.0.1",
  );
});
afterAll(async () => {
  await workerStatus?.close();
  await worker?.stop();
  await workerPool?.end();
  await server?.close();
  await api?.close();
  await db?.drop();
});

describe("deploy/", () => {
  it("names only metrics that a live server's or worker's /metrics has", async () => {
    // Something of everything: an execution (time to execute, durations), a rollback, a waiting
    // Tier 2 action, HTTP requests.
    await goLive(db.pool);
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await waitFor(async () => (await getAction(db.pool, actionId)).status === "EXECUTED", 20_000, {
      what: "the worker to execute the action",
    });
    const { rows } = await db.pool.query("select id from autoexec.execution_logs where action_id = $1", [
      actionId,
    ]);
    const token = await api.token("admin");
    const rollback = await fetch(`${server.url}/api/monetization/execute/rollback`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ executionLogId: rows[0].id, reason: "deploy test" }),
    });
    expect(rollback.status).toBe(200);
    await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: 1, content: "z" } });

    const scraped = (
      await Promise.all(
        [server.url, workerStatus.url].map(async (url) => (await fetch(`${url}/metrics`)).text()),
      )
    ).join("\n");
    const samples = new Set(
      scraped
        .split("\n")
        .filter((line) => line && !line.startsWith("#"))
        .map((line) => line.split(/[{ ]/)[0]),
    );
    const named = await namedInDeploy();
    expect(named.size).toBeGreaterThan(15);
    const missing = [...named]
      .filter(([name]) => !samples.has(name))
      .map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });

  it("alerts on what the issue lists, with a severity and a summary each", async () => {
    const rules = parse(await readFile(path.join(ROOT, "deploy/prometheus/autoexec-rules.yml"), "utf8")) as {
      groups: Array<{
        rules: Array<{ alert: string; labels: { severity: string }; annotations: { summary: string } }>;
      }>;
    };
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.map((rule) => rule.alert).sort()).toEqual([
      "AutoexecApprovalsWaiting",
      "AutoexecCircuitBreakerOpen",
      "AutoexecCooldownRunning",
      "AutoexecFailureRateOverTarget",
      "AutoexecFiguresUnreadable",
      "AutoexecNoWorkerReporting",
      "AutoexecRollbackRateOverTarget",
      "AutoexecTier1WaitingTooLong",
    ]);
    for (const rule of all) {
      expect(["critical", "warning", "info"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
    }
  });
});
