import { type Runner, run, Logger as WorkerLogger } from "graphile-worker";
import type pg from "pg";
import { handlers } from "./handlers/index.ts";
import type { ActionHandler } from "./handlers/types.ts";
import type { Logger } from "./logger.ts";
import { createTaskList, parsedCronItems } from "./tasks/index.ts";

export interface WorkerOptions {
  pool: pg.Pool;
  log: Logger;
  concurrency: number;
  /** graphile-worker polls as a fallback to LISTEN/NOTIFY; tests shorten it. */
  pollInterval?: number;
  /** The action handlers to execute with; defaults to the real registry (tests inject failing ones). */
  handlers?: ReadonlyMap<string, ActionHandler>;
}

/** Runs graphile-worker with the engine's tasks and crontab. Several may run against one database. */
export function startWorker(options: WorkerOptions): Promise<Runner> {
  const { pool, log } = options;
  return run({
    pgPool: pool,
    concurrency: options.concurrency,
    pollInterval: options.pollInterval ?? 2000,
    noHandleSignals: true,
    taskList: createTaskList({ pool, handlers: options.handlers ?? handlers, log }),
    parsedCronItems,
    logger: pinoWorkerLogger(log.child({ component: "graphile-worker" })),
  });
}

function pinoWorkerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    // graphile-worker logs every completed job at info level; that is debug detail for us.
    const pinoLevel = level === "warning" ? "warn" : level === "error" ? "error" : "debug";
    log[pinoLevel](meta ?? {}, message);
  });
}
