import { type Runner, run, type TaskList } from "graphile-worker";
import type pg from "pg";
import { createPool } from "../../src/db/pool.ts";
import type { Logger } from "../../src/logger.ts";
import { runnerOptions, startWorker } from "../../src/worker.ts";

export interface StartedWorker {
  runner: Runner;
  stop: () => Promise<void>;
}

/** Workers with autoexec's concurrency, pool size (concurrency + 4) and login, stopped at cleanup. */
export interface BenchWorkers {
  /** graphile-worker as startWorker runs it, with a task list of the caller's and no crontab. */
  plain(taskList: (pool: pg.Pool) => TaskList): Promise<StartedWorker>;
  /** The engine's own worker (src/worker.ts): execute_action, the sweep crontab, the real handlers. */
  autoexec(): Promise<StartedWorker>;
}

export function benchWorkers(
  url: string,
  log: Logger,
  concurrency: number,
  cleanups: Array<() => Promise<unknown>>,
): BenchWorkers {
  const stoppable = (runner: Runner, pool: pg.Pool): StartedWorker => {
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await runner.stop();
        await pool.end();
      })();
      return stopping;
    };
    cleanups.push(stop);
    return { runner, stop };
  };
  return {
    async plain(taskList) {
      const pool = createPool(url, log, concurrency + 4);
      const runner = await run({ ...runnerOptions({ pool, log, concurrency }), taskList: taskList(pool) });
      return stoppable(runner, pool);
    },
    async autoexec() {
      const pool = createPool(url, log, concurrency + 4);
      return stoppable(await startWorker({ pool, log, concurrency }), pool);
    },
  };
}
