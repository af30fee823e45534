/** Worker events: when each job started and finished, on this process's wall clock. */
import type { Job, Runner } from "graphile-worker";
import { int, progress, wallNow } from "./output.ts";

export interface JobTimes {
  startedAt?: number;
  finishedAt?: number;
  failed?: boolean;
}

/**
 * Records job:start / job:success / job:error of one task by a key taken from the payload, counts
 * finished jobs, and lets the caller await one key or a count. Attached right after run() resolves:
 * run() builds the runner synchronously and a worker needs a database round trip before its first
 * job:start, so no event is missed.
 */
export class JobWatch {
  readonly times = new Map<number, JobTimes>();
  finished = 0;
  errors = 0;
  private waiters = new Map<number, () => void>();
  private countWaiter: { count: number; resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(runner: Runner, task: string, keys: (payload: unknown) => number[]) {
    // A batch job carries several keys: each one starts and finishes with the job.
    const entries = (job: Job) => {
      if (job.task_identifier !== task) return [];
      return keys(job.payload).map((id) => {
        const times = this.times.get(id) ?? {};
        this.times.set(id, times);
        return { id, times };
      });
    };
    runner.events.on("job:start", ({ job }) => {
      for (const found of entries(job)) found.times.startedAt = wallNow();
    });
    runner.events.on("job:success", ({ job }) => {
      for (const found of entries(job)) {
        found.times.finishedAt = wallNow();
        this.finish(found.id);
      }
    });
    runner.events.on("job:error", ({ job, error }) => {
      const found = entries(job);
      if (found.length === 0) return;
      for (const { times } of found) times.failed = true;
      this.errors++;
      // A failed execution means the benchmark measures retries, not the engine: stop early.
      this.countWaiter?.reject(
        new Error(
          `job ${job.id} (${task}) failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    });
  }

  private finish(id: number): void {
    this.finished++;
    this.waiters.get(id)?.();
    this.waiters.delete(id);
    if (this.countWaiter && this.finished >= this.countWaiter.count) this.countWaiter.resolve();
  }

  /** Resolves when the job with this key has finished successfully. */
  done(id: number, timeoutMs = 10_000): Promise<void> {
    if (this.times.get(id)?.finishedAt !== undefined) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.waiters.set(id, resolve)),
      timeoutMs,
      () => `job ${id} did not finish within ${timeoutMs} ms`,
    );
  }

  /** Resolves when `count` jobs have finished successfully; reports progress every second. */
  async allDone(count: number, label: string, since: number, timeoutMs: number): Promise<number> {
    const report = setInterval(() => {
      const seconds = (performance.now() - since) / 1000;
      progress(
        `${label}: ${int(this.finished)}/${int(count)} done (${int(this.finished / seconds)}/s so far)`,
      );
    }, 1000);
    try {
      if (this.finished < count) {
        await withTimeout(
          new Promise<void>((resolve, reject) => {
            this.countWaiter = { count, resolve, reject };
          }),
          timeoutMs,
          () => `${label}: only ${this.finished} of ${count} jobs finished within ${timeoutMs / 1000} s`,
        );
      }
      return performance.now();
    } finally {
      clearInterval(report);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The numbers in `field` of a payload object, or of each object of a batch job's payload list. */
export function numberFields(payload: unknown, field: string): number[] {
  return (Array.isArray(payload) ? payload : [payload]).flatMap((item: unknown) => {
    const value = item && typeof item === "object" ? (item as Record<string, unknown>)[field] : undefined;
    return typeof value === "number" ? [value] : [];
  });
}
