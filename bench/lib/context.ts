import type pg from "pg";
import type { Logger } from "../../src/logger.ts";
import type { BenchWorkers } from "./workers.ts";

/** How much each measurement of `npm run bench` does (bench/run.ts sets them from the flags). */
export interface Sizes {
  jobs: number;
  actions: number;
  samples: number;
  /**
   * Alternating raw and autoexec drains: a drain lasts a few seconds, and one that a checkpoint or a
   * noisy neighbour lands on can be off by a fifth. The median of rounds taken side by side is not.
   */
  rounds: number;
  /** Latency samples taken first and thrown away (connections, prepared statements, plan caches). */
  warmup: number;
  /** Past executions loaded to time the stats query (a million span about a year). */
  statsRows: number;
  /** Waiting-line backlogs: the cost of a freed slot with this many actions waiting (docs/waiting.md). */
  backlogs: number[];
  /** Pause between latency samples, after the previous job finished, so the queue is idle. */
  gapMs: number;
  /** --scale: execution logs loaded (and a tenth as many actions). */
  scaleLogs: number;
}

/** What every measurement of one run shares. */
export interface Bench {
  sizes: Sizes;
  log: Logger;
  /** The "agent" and the benchmark's own queries: a connection of its own, never the workers' pool. */
  agent: pg.Client;
  /** The database URL as the worker logs in. */
  workerUrl: string;
  workers: BenchWorkers;
  /** --profile: list where the autoexec drain spent its database time. */
  profile: boolean;
}

/** Effectively no limit: the benchmark measures the engine, not the guardrails' refusals. */
export const HUGE_LIMIT = 1_000_000_000;
export const PHASE_TIMEOUT_MS = 120_000;
