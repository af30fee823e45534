import type { WorkerEvents } from "graphile-worker";
import { Hono } from "hono";
import type pg from "pg";
import client from "prom-client";
import type { ExecutionOutcome } from "./engine/executor.ts";

/**
 * What one worker process counts about itself, for its own /metrics (WORKER_HTTP_PORT): the jobs it
 * ran and the executions it attempted. The engine-wide figures (every worker's executions, the
 * breaker, the queue) stay on the API server's /metrics, which reads them from the database.
 */
export interface WorkerMetrics {
  registry: client.Registry;
  /** Counts graphile-worker's job events of this process. */
  watch(events: WorkerEvents): void;
  /**
   * Counts what an execute_action attempt ended with; for a successful live execution, also its
   * time to execute (as the execution's own transaction computed it: no query).
   */
  countExecution(result: ExecutionOutcome | "retrying" | "error"): void;
}

/** Seconds; the PRD's Tier 1 target (15 minutes) is a bound. */
const TIME_TO_EXECUTE_BUCKETS_S = [1, 5, 15, 60, 300, 900, 3600, 14400, 86400];

export function createWorkerMetrics(
  options: {
    /** Node's default process metrics; off when the process already serves them (npm start). */
    defaultMetrics?: boolean;
  } = {},
): WorkerMetrics {
  const registry = new client.Registry();
  // Node's default process metrics under their conventional names (process_*, nodejs_*).
  if (options.defaultMetrics !== false) client.collectDefaultMetrics({ register: registry });
  const jobs = new client.Counter({
    name: "autoexec_worker_jobs_total",
    help: "Jobs this worker process ran, by task and result (success, error: will be retried, failed: gave up).",
    labelNames: ["task", "result"],
    registers: [registry],
  });
  const executions = new client.Counter({
    name: "autoexec_worker_executions_total",
    help: "Execution attempts this worker process made, by outcome (executed_live, executed_dry_run, invalid, not_now, failed, retrying, error).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  // Observed here rather than computed from the whole log at each scrape (a join of every log to
  // its action: seconds at 300,000 logs); Prometheus sums the workers' histograms.
  const timeToExecute = new client.Histogram({
    name: "autoexec_time_to_execute_seconds",
    help: "Successful live executions by this worker: Tier 1 from proposal to execution, Tier 2 from approval to execution.",
    labelNames: ["tier"],
    buckets: TIME_TO_EXECUTE_BUCKETS_S,
    registers: [registry],
  });
  return {
    registry,
    watch(events) {
      events.on("job:success", ({ job }) => jobs.inc({ task: job.task_identifier, result: "success" }));
      events.on("job:error", ({ job }) => jobs.inc({ task: job.task_identifier, result: "error" }));
      events.on("job:failed", ({ job }) => jobs.inc({ task: job.task_identifier, result: "failed" }));
    },
    countExecution(result) {
      const outcome =
        typeof result === "string"
          ? result
          : result.outcome === "executed"
            ? `executed_${result.mode}`
            : result.outcome;
      executions.inc({ outcome });
      if (typeof result !== "string" && result.outcome === "executed" && result.timeToExecute) {
        timeToExecute.observe({ tier: String(result.timeToExecute.tier) }, result.timeToExecute.seconds);
      }
    },
  };
}

/**
 * The worker's optional HTTP port: GET /healthz (the process answers), GET /readyz (it can reach the
 * database and its runner has not stopped), GET /metrics (this process's counters, see above).
 */
export function workerStatusApp(deps: {
  pool: pg.Pool;
  metrics: WorkerMetrics;
  running: () => boolean;
}): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const database = await deps.pool.query("select 1").then(
      () => "ok",
      (error: Error) => `unreachable: ${error.message}`,
    );
    const runner = deps.running() ? "ok" : "stopping";
    const ready = database === "ok" && runner === "ok";
    return c.json(
      { status: ready ? "ready" : "unavailable", checks: { database, runner } },
      ready ? 200 : 503,
    );
  });
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics.registry.metrics(), 200, { "content-type": deps.metrics.registry.contentType }),
  );
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
