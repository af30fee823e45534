/**
 * npm run bench [-- --quick]
 *
 * The command: flags, the database, the machine's description, the order of the measurements and the
 * summary. One run, one database, all with the worker concurrency and pg Pool settings that autoexec
 * itself uses (WORKER_CONCURRENCY, default 4; pool max = concurrency + 4); each measurement is a module:
 *   1. bench/throughput.ts: raw graphile-worker draining N bulk-enqueued no-op jobs (jobs/s) and autoexec
 *      draining a backlog of eligible Tier 1 actions inserted by one INSERT while no worker ran
 *      (actions/s), alternated over a few rounds; for reference the same backlog executed by one
 *      database call per action (the one-call ceiling), and a backlog inserted one row per statement;
 *   2. bench/latency.ts: add_job -> task start, agent INSERT -> EXECUTED and Tier 2 approve -> EXECUTED
 *      on an idle queue (one at a time);
 *   3. the ratios, and PASS/MISS against the targets (bench/lib/report.ts);
 *   4. bench/waiting-line.ts: executions and transactions per freed slot with 10,000 and 100,000 actions
 *      waiting behind a full hour, and Tier 2 approve -> EXECUTED while the larger backlog waits;
 *   5. bench/stats.ts: the stats query over a large execution log.
 * --pages (bench/admin-pages.ts) and --scale (bench/scale.ts) run instead of these.
 * With DATABASE_URL a fresh database autoexec_bench_<random> is created on that server and dropped at the
 * end; without it an embedded PostgreSQL is started in a temporary directory with default durability.
 * See docs/BENCHMARKS.md.
 */
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool } from "../src/db/pool.ts";
import { createLogger } from "../src/logger.ts";
import { adminPagesTiming } from "./admin-pages.ts";
import { approvalLatency, autoexecLatency, printApprovalLatency, rawLatency } from "./latency.ts";
import type { Bench, Sizes } from "./lib/context.ts";
import { cpuSample, cpuSince, findPostmaster } from "./lib/cpu.ts";
import { openBenchDatabase, workerLogin } from "./lib/database.ts";
import { fmt, int, middle, progress, wallNow } from "./lib/output.ts";
import { type AutoexecResult, printProfile, printReport, type RawResult } from "./lib/report.ts";
import { benchWorkers } from "./lib/workers.ts";
import { scaleTiming } from "./scale.ts";
import { statsTiming } from "./stats.ts";
import {
  autoexecThroughput,
  ceilingThroughput,
  diagnose,
  oneJobEachThroughput,
  rawThroughput,
  type Throughput,
} from "./throughput.ts";
import { type LineRun, printWaitingLine, waitingLineRun } from "./waiting-line.ts";

// ---------------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    jobs: { type: "string" },
    actions: { type: "string" },
    samples: { type: "string" },
    rounds: { type: "string" },
    pages: { type: "boolean", default: false },
    scale: { type: "boolean", default: false },
    "scale-logs": { type: "string" },
    backlogs: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench [-- options]: raw graphile-worker vs autoexec, throughput and latency.

  --quick        smaller run (1,000 no-op jobs, 400 actions, 100 latency samples)
  --profile      also list the statements the autoexec drain spent its database time in
                 (pg_stat_statements; the embedded server loads it, a DATABASE_URL server must)
  --jobs N       no-op jobs drained for the raw throughput (default 5,000)
  --actions N    Tier 1 actions drained for the autoexec throughput (default 2,000)
  --samples N    latency samples per system (default 300)
  --rounds N     raw and autoexec drains, alternated, N times each after one warm-up round; the
                 medians count (default 3)
  --pages        instead: the admin UI's queue and history GraphQL requests over 1,000,000 actions
                 and 1,000,000 execution logs (bench/admin-pages.ts, target <= 50 ms each)
  --scale        instead: the stats over 30 days, a year and odd ranges and a /metrics scrape with
                 10,000,000 execution logs and 1,000,000 actions, checked against the raw log
                 (bench/scale.ts, target <= 20 ms each)
  --scale-logs N with --scale: N execution logs (and N / 10 actions) instead of 10,000,000
  --backlogs A,B waiting-line backlogs: the cost of a freed slot with A and B actions waiting
                 (default 10000,100000; --quick 1000,10000)

Environment: DATABASE_URL (a superuser connection; a fresh database is created and dropped on that
server; without it an embedded PostgreSQL runs in a temporary directory), WORKER_CONCURRENCY (default 4),
LOG_LEVEL (default warn).`);
  process.exit(0);
}

const sizes: Sizes = {
  jobs: positiveInt(flags.jobs, flags.quick ? 1_000 : 5_000),
  actions: positiveInt(flags.actions, flags.quick ? 400 : 2_000),
  samples: positiveInt(flags.samples, flags.quick ? 100 : 300),
  rounds: positiveInt(flags.rounds, flags.quick ? 1 : 3),
  warmup: flags.quick ? 10 : 20,
  statsRows: flags.quick ? 100_000 : 1_000_000,
  backlogs: flags.backlogs
    ? flags.backlogs.split(",").map((size) => positiveInt(size.trim(), 1))
    : flags.quick
      ? [1_000, 10_000]
      : [10_000, 100_000],
  gapMs: 5,
  scaleLogs: positiveInt(flags["scale-logs"], 10_000_000),
};

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected a positive integer, got ${text}`);
  return value;
}

const config = loadConfig();
const concurrency = config.WORKER_CONCURRENCY;
const log = createLogger(process.env.LOG_LEVEL ?? "warn");
const cleanups: Array<() => Promise<unknown>> = [];
let cleaningUp: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => log.warn({ err: error }, "cleanup failed"));
    }
  })();
  return cleaningUp;
}
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.log(`\n${signal}: cleaning up`);
    void cleanupAll().then(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  // Once interrupted, the run fails because the cleanup closes what it uses: not worth a stack.
  if (!interrupted) {
    console.error(
      `\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  }
} finally {
  await cleanupAll();
}

async function main(): Promise<void> {
  progress(
    flags.scale
      ? "autoexec benchmark --scale: the stats and /metrics over ten million execution logs"
      : flags.pages
        ? "autoexec benchmark --pages: the admin UI's GraphQL requests over a million actions and execution logs"
        : `autoexec benchmark${flags.quick ? " (--quick)" : ""}: ${int(sizes.jobs)} no-op jobs, ${int(sizes.actions)} actions, ` +
          `${sizes.samples} latency samples each, concurrency ${concurrency}`,
  );
  const database = await openBenchDatabase(
    config.DATABASE_URL,
    log,
    // --profile loads pg_stat_statements into the embedded server (it changes no durability setting).
    flags.profile
      ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" }
      : {},
  );
  cleanups.push(database.cleanup);
  progress(`database: ${database.where}`);

  const migratePool = createPool(database.url, log, 2);
  await migrate(migratePool, log);
  progress("migrated (graphile-worker schema, sql/migrations, sql/functions)");
  if (flags.pages) {
    await adminPagesTiming(database.url, migratePool, log);
    await migratePool.end();
    return;
  }
  if (flags.scale) {
    await scaleTiming(database.url, migratePool, log, sizes.scaleLogs);
    await migratePool.end();
    return;
  }
  await migratePool.end();
  const worker = await workerLogin(database, config.WORKER_DATABASE_URL);

  const agent = new pg.Client({ connectionString: database.url, application_name: "autoexec-bench" });
  await agent.connect();
  cleanups.push(() => agent.end());
  const workers = benchWorkers(worker.url, log, concurrency, cleanups);
  const bench: Bench = { sizes, log, agent, workerUrl: worker.url, workers, profile: flags.profile };
  const machine = await describeMachine(agent, worker.description);
  const serverCpu = await findPostmaster(agent, database.embedded ? undefined : database.name);
  machine.lines.push(`PostgreSQL CPU counted: ${serverCpu}`);
  for (const line of machine.lines) progress(line);
  const offsetMs = await clockOffset(agent);
  progress(`clock offset database - node: ${fmt(offsetMs, 3)} ms (applied to worker-side timestamps)`);
  const idle = cpuSample();
  await sleep(1000);
  const background = cpuSince(idle).machineBusy;
  const loadLine =
    `background CPU load before the run: ${fmt(background * 100, 0)}% of ${os.availableParallelism()} cores` +
    (background > 0.1 ? " (WARNING: other processes are busy; the figures will be low and noisy)" : "");
  machine.lines.push(loadLine);
  progress(loadLine);

  // Round 0 warms up both sides (page cache, V8's compiled code) and does not count.
  const rounds: Array<{ raw: Throughput; autoexec: Throughput }> = [];
  for (let round = 0; round <= sizes.rounds; round++) {
    progress(
      round === 0 ? "throughput warm-up round (not counted)" : `throughput round ${round} of ${sizes.rounds}`,
    );
    const raw = await rawThroughput(bench);
    const autoexec = await autoexecThroughput(bench, round);
    if (round > 0) rounds.push({ raw, autoexec });
  }
  const medianDrain = (side: "raw" | "autoexec") =>
    middle(
      rounds.map((round) => round[side]),
      (drain) => drain.perSecond,
    ) as Throughput;
  const rawDrain = medianDrain("raw");
  const autoexecDrain = medianDrain("autoexec");
  const ceilingDrain = await ceilingThroughput(bench);
  const oneJobEachDrain = await oneJobEachThroughput(bench);
  const raw: RawResult = {
    jobs: sizes.jobs,
    jobsPerSecond: rawDrain.perSecond,
    drainSeconds: rawDrain.seconds,
    drainCpu: rawDrain.cpu,
    latency: await rawLatency(bench, offsetMs),
  };
  const autoexec: AutoexecResult = {
    actions: sizes.actions,
    actionsPerSecond: autoexecDrain.perSecond,
    drainSeconds: autoexecDrain.seconds,
    drainCpu: autoexecDrain.cpu,
    profile: autoexecDrain.profile,
    ...(await autoexecLatency(bench, offsetMs)),
  };
  const approval = await approvalLatency(bench);
  const diagnostics = await diagnose(bench);
  const ratios = rounds.map((round) => round.autoexec.perSecond / round.raw.perSecond);
  printReport(
    machine.lines,
    raw,
    autoexec,
    { ceiling: ceilingDrain, oneJobEach: oneJobEachDrain },
    diagnostics,
    ratios,
  );
  printApprovalLatency(approval);
  // Before the stats phase, whose history would fill the rolling windows.
  const lineRuns: LineRun[] = [];
  for (const backlog of sizes.backlogs) {
    const largest = backlog === sizes.backlogs.at(-1);
    lineRuns.push(
      await waitingLineRun(
        worker.url,
        database.url,
        () => workers.autoexec(),
        backlog,
        largest ? sizes.samples : 0,
      ),
    );
  }
  printWaitingLine(lineRuns);
  await statsTiming(bench, database.url);
  if (autoexec.profile) printProfile(autoexec.profile, autoexec.actions);
}

interface Machine {
  lines: string[];
}

async function describeMachine(client: pg.Client, login: string): Promise<Machine> {
  const { rows: version } = await client.query<{ server_version: string }>("show server_version");
  const { rows: settings } = await client.query<{ name: string; setting: string; unit: string | null }>(
    `select name, setting, unit from pg_settings
     where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers',
                    'max_connections', 'commit_delay')
     order by name`,
  );
  const cpus = os.cpus();
  const shown = settings.map((row) => {
    const value =
      row.name === "shared_buffers" && row.unit === "8kB"
        ? `${(Number(row.setting) * 8) / 1024}MB`
        : row.setting;
    return `${row.name}=${value}`;
  });
  return {
    lines: [
      `machine: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ` +
        `${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
      `PostgreSQL ${version[0]?.server_version}: ${shown.join(", ")}`,
      `worker: graphile-worker concurrency ${concurrency}, pg Pool max ${concurrency + 4}, pollInterval 2000 ms ` +
        `(LISTEN/NOTIFY wakes workers), login ${login}`,
    ],
  };
}

/** Database clock minus this process's wall clock, from the round trip with the smallest delay. */
async function clockOffset(client: pg.Client): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 30; i++) {
    const before = wallNow();
    const { rows } = await client.query<{ t: number }>(
      "select extract(epoch from clock_timestamp())::float8 * 1000 as t",
    );
    const after = wallNow();
    if (after - before < best.rtt)
      best = { rtt: after - before, offset: (rows[0]?.t ?? 0) - (before + after) / 2 };
  }
  return best.offset;
}
