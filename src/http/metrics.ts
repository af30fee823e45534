import { Hono } from "hono";
import type pg from "pg";
import client from "prom-client";
import { withTransaction } from "../db/pool.ts";

/** What autoexec.observability_snapshot() returns. */
export interface Snapshot {
  executions: Array<{ type: string; tier: number; mode: string; outcome: string; count: number }>;
  durations: Array<{ mode: string; count: number; sum_ms: number; buckets: number[] }>;
  retries: number;
  actions: Array<{ status: string; tier: number; count: number }>;
  breakerOpen: boolean;
  cooldownActive: boolean;
  enabled: boolean;
  dryRun: boolean;
  headroom: { hour: number; day: number };
  jobs: { queued: number; locked: number; retrying: number };
  workers: number;
  migrations: string[];
}

/** Reads the snapshot as the read-only viewer role (the server's login holds no privilege itself). */
export function readSnapshot(pool: pg.Pool): Promise<Snapshot> {
  return withTransaction(pool, async (db) => {
    await db.query("set transaction read only");
    await db.query("set local role autoexec_viewer");
    const { rows } = await db.query<{ snapshot: Snapshot }>(
      "select autoexec.observability_snapshot() as snapshot",
    );
    return rows[0]?.snapshot as Snapshot;
  });
}

const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * GET /metrics in Prometheus text format. Workers run in other processes and on other machines, so
 * the engine's figures come from the database at scrape time (one query), where every worker's
 * executions are recorded; the server's own process metrics come from prom-client's defaults.
 */
export function metricsRoutes(deps: { pool: pg.Pool }): Hono {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "autoexec_server_" });
  let snapshot: Snapshot | undefined;

  // Each metric is refilled from the scrape's snapshot; counters can be set this way because the
  // snapshot's counts come from an append-only log and only ever grow.
  const refill = <M extends client.Gauge | client.Counter>(fill: (metric: M, s: Snapshot) => void) =>
    function (this: M) {
      this.reset();
      if (snapshot) fill(this, snapshot);
    };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (g: client.Gauge, s: Snapshot) => void,
  ) => new client.Gauge({ name, help, labelNames, registers: [registry], collect: refill(fill) });
  const counter = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (c: client.Counter, s: Snapshot) => void,
  ) => new client.Counter({ name, help, labelNames, registers: [registry], collect: refill(fill) });

  counter(
    "autoexec_executions_total",
    "Executions by action type, tier, mode and outcome.",
    ["type", "tier", "mode", "outcome"],
    (c, s) => {
      for (const e of s.executions)
        c.inc({ type: e.type, tier: String(e.tier), mode: e.mode, outcome: e.outcome }, e.count);
    },
  );
  counter("autoexec_execution_retries_total", "Failed execution attempts that were retried.", [], (c, s) =>
    c.inc(s.retries),
  );
  gauge("autoexec_actions", "Actions by status and tier.", ["status", "tier"], (g, s) => {
    for (const a of s.actions) g.set({ status: a.status, tier: String(a.tier) }, a.count);
  });
  gauge("autoexec_circuit_breaker_open", "1 while the circuit breaker is open.", [], (g, s) =>
    g.set(Number(s.breakerOpen)),
  );
  gauge("autoexec_cooldown_active", "1 while a cooldown after failures is active.", [], (g, s) =>
    g.set(Number(s.cooldownActive)),
  );
  gauge("autoexec_enabled", "1 when auto-execution is switched on.", [], (g, s) => g.set(Number(s.enabled)));
  gauge("autoexec_dry_run", "1 while the engine is in dry run.", [], (g, s) => g.set(Number(s.dryRun)));
  gauge(
    "autoexec_rate_limit_headroom",
    "Tier 1 auto-executions left in the rolling window.",
    ["window"],
    (g, s) => {
      g.set({ window: "hour" }, s.headroom.hour);
      g.set({ window: "day" }, s.headroom.day);
    },
  );
  gauge(
    "autoexec_jobs",
    "graphile-worker jobs: queued, locked by a worker, waiting to retry.",
    ["state"],
    (g, s) => {
      for (const [state, value] of Object.entries(s.jobs)) g.set({ state }, value);
    },
  );
  gauge("autoexec_workers", "Worker processes seen in the last 30 seconds.", [], (g, s) => g.set(s.workers));
  registry.registerMetric(durationHistogram(() => snapshot));

  const app = new Hono();
  app.get("/metrics", async (c) => {
    try {
      snapshot = await readSnapshot(deps.pool);
    } catch {
      snapshot = undefined; // the process metrics still answer; the engine's are absent
    }
    return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
  return app;
}

/**
 * prom-client's Histogram only counts observations made in this process; the engine's durations are
 * bucketed in SQL, so this metric hands the registry those buckets directly.
 */
function durationHistogram(current: () => Snapshot | undefined): client.Metric {
  const name = "autoexec_execution_duration_seconds";
  const help = "Time spent in action handlers, by mode.";
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    async get() {
      const values = (current()?.durations ?? []).flatMap((d) => [
        ...DURATION_BUCKETS_MS.map((le, i) => ({
          metricName: `${name}_bucket`,
          labels: { mode: d.mode, le: le / 1000 },
          value: d.buckets[i] ?? 0,
        })),
        { metricName: `${name}_bucket`, labels: { mode: d.mode, le: "+Inf" }, value: d.count },
        { metricName: `${name}_sum`, labels: { mode: d.mode }, value: d.sum_ms / 1000 },
        { metricName: `${name}_count`, labels: { mode: d.mode }, value: d.count },
      ]);
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
    reset() {},
  };
  return metric as unknown as client.Metric;
}
