import { EventEmitter } from "node:events";
import os from "node:os";
import {
  type Runner,
  type RunnerOptions,
  run,
  type WorkerEvents,
  Logger as WorkerLogger,
} from "graphile-worker";
import type pg from "pg";
import type { Config } from "./config.ts";
import { DEFAULT_ENGINE_TIMEOUTS, type EngineTimeouts } from "./engine/timeouts.ts";
import { handlers, handlerTierMismatches } from "./handlers/index.ts";
import type { ActionHandler } from "./handlers/types.ts";
import type { Logger } from "./logger.ts";
import { createTaskList, parsedCronItems } from "./tasks/index.ts";
import type { WorkerMetrics } from "./worker-status.ts";

export interface WorkerOptions {
  pool: pg.Pool;
  log: Logger;
  concurrency: number;
  /** graphile-worker polls as a fallback to LISTEN/NOTIFY; tests shorten it. */
  pollInterval?: number;
  /** The action handlers to execute with; defaults to the real registry (tests inject failing ones). */
  handlers?: ReadonlyMap<string, ActionHandler>;
  /** Lock and statement timeouts of the engine's transactions (tests shorten the lock timeout). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** This process's job and execution counters (the worker's own /metrics). */
  metrics?: WorkerMetrics;
}

const HEARTBEAT_INTERVAL_MS = 10_000;

export interface Worker extends Runner {
  /** Unlocks every job this worker holds, so any worker can pick them up again. */
  releaseHeldJobs(): Promise<void>;
}

/** Runs graphile-worker with the engine's tasks and crontab. Several may run against one database. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { pool, log } = options;
  const registry = options.handlers ?? handlers;
  const mismatches = await handlerTierMismatches(pool, registry);
  if (mismatches.length > 0)
    throw new Error(`the worker's handlers disagree with the database: ${mismatches.join("; ")}`);
  const events: WorkerEvents = new EventEmitter();
  let poolId: string | undefined;
  events.on("pool:create", ({ workerPool }) => {
    poolId = workerPool.id;
  });
  options.metrics?.watch(events);
  const runner = await run({
    ...runnerOptions(options),
    taskList: createTaskList(
      { pool, handlers: registry, log, timeouts: engineTimeouts(options) },
      options.metrics?.countExecution,
    ),
    parsedCronItems,
    events,
  });
  // A heartbeat row lets /readyz see that a worker runs (every 10 s; stale after 30 s).
  const beat = () =>
    pool
      .query("select autoexec_private.worker_heartbeat($1, $2, $3)", [poolId, os.hostname(), process.pid])
      .catch((error: unknown) => log.debug({ err: error }, "heartbeat failed"));
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  const stopRunner = runner.stop.bind(runner);
  return Object.assign(runner, {
    async stop() {
      clearInterval(heartbeat);
      await stopRunner();
      await pool.query("select autoexec_private.worker_stopped($1)", [poolId]).catch(() => undefined);
    },
    async releaseHeldJobs() {
      if (poolId) await pool.query("select graphile_worker.force_unlock_workers($1)", [[poolId]]);
    },
  });
}

/** What the environment says about a worker: its concurrency and the engine's timeouts. */
export function workerSettings(
  config: Config,
): Pick<WorkerOptions, "concurrency" | "lockTimeoutMs" | "statementTimeoutMs"> {
  return {
    concurrency: config.WORKER_CONCURRENCY,
    lockTimeoutMs: config.ENGINE_LOCK_TIMEOUT_MS,
    statementTimeoutMs: config.ENGINE_STATEMENT_TIMEOUT_MS,
  };
}

function engineTimeouts(options: WorkerOptions): EngineTimeouts {
  return {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_ENGINE_TIMEOUTS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_ENGINE_TIMEOUTS.statementTimeoutMs,
  };
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000",
  "08003",
  "08006",
]);

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) || /Connection terminated/i.test(error.message)
  );
}

/**
 * When the database goes away, graphile-worker cannot record the outcome of the jobs in flight: the
 * promise doing it rejects with nobody awaiting it, and those jobs stay locked by this worker (for
 * 4 hours by default). Rather than crash, log it, and once the database answers again release the
 * jobs this worker holds so they run again; re-running is harmless (an executed action is skipped).
 * Any other unhandled rejection is a bug: exit.
 */
export function recoverFromDatabaseOutages(worker: Worker, log: Logger, retryEveryMs = 1000): void {
  let releasing = false;
  process.on("unhandledRejection", (reason) => {
    if (!isConnectionError(reason)) {
      log.fatal({ err: reason }, "unhandled rejection");
      process.exit(1);
    }
    log.warn(
      { err: reason },
      "database unreachable while recording a job; will release held jobs once it is back",
    );
    if (releasing) return;
    releasing = true;
    const attempt = (): void => {
      worker.releaseHeldJobs().then(
        () => {
          releasing = false;
          log.info("database is back; held jobs released");
        },
        () => setTimeout(attempt, retryEveryMs),
      );
    };
    setTimeout(attempt, retryEveryMs);
  });
}

/**
 * How the engine runs graphile-worker, whatever the task list: its pool and concurrency, LISTEN/NOTIFY
 * with a slow poll as the fallback, signals left to the process, its log lines through pino. (The
 * benchmark runs plain graphile-worker with the same, to compare like with like.)
 */
export function runnerOptions(
  options: Pick<WorkerOptions, "pool" | "log" | "concurrency" | "pollInterval">,
): Pick<RunnerOptions, "pgPool" | "concurrency" | "pollInterval" | "noHandleSignals" | "logger"> {
  return {
    pgPool: options.pool,
    concurrency: options.concurrency,
    pollInterval: options.pollInterval ?? 2000,
    noHandleSignals: true,
    logger: pinoWorkerLogger(options.log.child({ component: "graphile-worker" })),
  };
}

function pinoWorkerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    // graphile-worker logs every completed job at info level; that is debug detail for us.
    const pinoLevel = level === "warning" ? "warn" : level === "error" ? "error" : "debug";
    log[pinoLevel](meta ?? {}, message);
  });
}
