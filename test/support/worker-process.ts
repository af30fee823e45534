import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import type pg from "pg";
import { waitFor } from "./wait.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
}

/** Runs `node src/bin/worker.ts` against `databaseUrl`, as an operator would. */
export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["src/bin/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: "4", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const worker = { child, output: [] as string[] };
  child.stdout?.on("data", (chunk) => worker.output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => worker.output.push(String(chunk)));
  return worker;
}

/** SIGTERM, then the exit code (null when it had to be killed by the signal). */
export async function stopWorker({ child }: WorkerProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = await exited;
  return code;
}

/** graphile-worker keeps one connection per process LISTENing for new jobs. */
export async function listeningWorkers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and query like 'LISTEN "jobs:insert"%'`,
  );
  return rows[0]?.n ?? 0;
}

/** Waits until `count` worker processes listen for jobs. */
export async function waitForListeners(
  pool: pg.Pool,
  count: number,
  workers: WorkerProcess[],
): Promise<void> {
  await waitFor(async () => (await listeningWorkers(pool)) === count, 20_000, {
    what: `${count} worker processes to start`,
    describe: async () =>
      `${await listeningWorkers(pool)} listening; output: ${workers.map((w) => w.output.join("")).join(" | ")}`,
  });
}
