import { type Context, Hono, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type pg from "pg";
import client from "prom-client";
import { withTransaction } from "../db/pool.ts";

/** What autoexec.observability_snapshot() returns. */
export interface Snapshot {
  executions: Array<{ type: string; tier: number; mode: string; outcome: string; count: number }>;
  durations: Array<{ mode: string; count: number; sum_ms: number; buckets: number[] }>;
  rollbacks: Array<{ type: string; count: number }>;
  oldestWaiting: { tier1: number; tier2: number };
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

/** The buckets observability_snapshot() counts handler time in, in milliseconds. */
const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const HTTP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServerMetrics {
  /** GET /metrics. */
  routes: Hono;
  /** Counts and times every request by method, route template and status (mounted first). */
  middleware: MiddlewareHandler;
}

/**
 * GET /metrics in Prometheus text format. Workers run in other processes and on other machines, so
 * the engine's figures come from the database at scrape time (one query), where every worker's
 * executions are recorded; `autoexec_engine_figures_up` is 0 when that query failed (the engine's
 * series are then absent, and an alert can tell "no data" from "zero"). The server's own process
 * metrics are prom-client's defaults under their conventional names (process_*, nodejs_*), and its
 * HTTP requests are counted in this process.
 */
export function serverMetrics(deps: {
  pool: pg.Pool;
  /** More metrics to serve, e.g. npm start's in-process worker's (see worker-status.ts). */
  alsoServe?: client.Registry[];
}): ServerMetrics {
  // Two registries: this process's own metrics always answer; the engine's (read from the database)
  // are left out of a scrape that could not read them, rather than shown as zeros.
  const registry = new client.Registry();
  const engine = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
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
  ) => new client.Gauge({ name, help, labelNames, registers: [engine], collect: refill(fill) });
  const counter = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (c: client.Counter, s: Snapshot) => void,
  ) => new client.Counter({ name, help, labelNames, registers: [engine], collect: refill(fill) });

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
  counter("autoexec_rollbacks_total", "Executions rolled back, by action type.", ["type"], (c, s) => {
    for (const r of s.rollbacks) c.inc({ type: r.type }, r.count);
  });
  gauge(
    "autoexec_oldest_waiting_action_seconds",
    "Age of the oldest PENDING action: tier 1 waits for the engine, tier 2 for a person's decision (0: none).",
    ["tier"],
    (g, s) => {
      g.set({ tier: "1" }, s.oldestWaiting.tier1);
      g.set({ tier: "2" }, s.oldestWaiting.tier2);
    },
  );
  engine.registerMetric(
    bucketedHistogram({
      name: "autoexec_execution_duration_seconds",
      help: "Time spent in action handlers, by mode.",
      label: "mode",
      bounds: DURATION_BUCKETS_MS.map((ms) => ms / 1000),
      series: () => (snapshot?.durations ?? []).map((d) => ({ ...d, label: d.mode, sum: d.sum_ms / 1000 })),
    }),
  );
  const figuresUp = new client.Gauge({
    name: "autoexec_engine_figures_up",
    help: "1 when this scrape read the engine's figures from the database, 0 when it could not (they are absent then).",
    registers: [registry],
  });
  const requests = new client.Counter({
    name: "autoexec_http_requests_total",
    help: "HTTP requests answered by this server, by method, route template and status.",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const requestSeconds = new client.Histogram({
    name: "autoexec_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route template.",
    labelNames: ["method", "route"],
    buckets: HTTP_DURATION_BUCKETS_S,
    registers: [registry],
  });

  const routes = new Hono();
  routes.get("/metrics", async (c) => {
    try {
      snapshot = await readSnapshot(deps.pool);
    } catch {
      snapshot = undefined; // the process metrics still answer; the engine's are absent
    }
    figuresUp.set(snapshot ? 1 : 0);
    const others = await Promise.all((deps.alsoServe ?? []).map((other) => other.metrics()));
    const text = [await registry.metrics(), ...(snapshot ? [await engine.metrics()] : []), ...others].join(
      "\n",
    );
    return c.text(text, 200, { "content-type": registry.contentType });
  });
  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeTemplate(c);
      const method = c.req.method;
      requests.inc({ method, route, status: String(c.res.status) });
      requestSeconds.observe({ method, route }, (performance.now() - started) / 1000);
    }
  };
  return { routes, middleware };
}

/**
 * The route template that answered (`/api/monetization/execute`, `/admin/*`), never the raw path, so
 * a scanner's random URLs cannot create a series each; `unmatched` when only middleware ran.
 */
function routeTemplate(c: Context): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (!route || (route.method === "ALL" && c.res.status === 404)) return "unmatched";
  return route.path;
}

/**
 * prom-client's Histogram only counts observations made in this process; the engine's are bucketed
 * in SQL (cumulative counts per bound), so this metric hands the registry those buckets directly.
 */
function bucketedHistogram(spec: {
  name: string;
  help: string;
  label: string;
  bounds: number[];
  series: () => Array<{ label: string; count: number; sum: number; buckets: number[] }>;
}): client.Metric {
  const { name, help, label } = spec;
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    async get() {
      const values = spec.series().flatMap((s) => [
        ...spec.bounds.map((le, i) => ({
          metricName: `${name}_bucket`,
          labels: { [label]: s.label, le },
          value: s.buckets[i] ?? 0,
        })),
        { metricName: `${name}_bucket`, labels: { [label]: s.label, le: "+Inf" }, value: s.count },
        { metricName: `${name}_sum`, labels: { [label]: s.label }, value: s.sum },
        { metricName: `${name}_count`, labels: { [label]: s.label }, value: s.count },
      ]);
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
    reset() {},
  };
  return metric as unknown as client.Metric;
}
