/**
 * npm run bench [-- --quick]
 *
 * One run, one database, four measurements, all with the worker concurrency and pg Pool settings that
 * autoexec itself uses (WORKER_CONCURRENCY, default 4; pool max = concurrency + 4):
 *   1. raw graphile-worker: drain N bulk-enqueued no-op jobs (jobs/s), and add_job -> task start latency
 *      on an idle queue (one job at a time);
 *   2. autoexec: drain a backlog of eligible Tier 1 actions inserted by one INSERT while no worker ran
 *      (actions/s), alternating with (1) over a few rounds; for reference the same backlog executed by one
 *      database call per action (the one-call ceiling), and a backlog inserted one row per statement;
 *   3. autoexec: agent INSERT -> EXECUTED latency on an idle queue (one action at a time);
 *   4. the ratios, and PASS/MISS against the targets;
 *   5. the waiting line: executions and transactions per freed slot with 10,000 and 100,000 actions
 *      waiting behind a full hour, and Tier 2 approve -> EXECUTED while the larger backlog waits.
 * With DATABASE_URL a fresh database autoexec_bench_<random> is created on that server and dropped at the
 * end; without it an embedded PostgreSQL is started in a temporary directory with default durability.
 * See docs/BENCHMARKS.md.
 */
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type Runner, run, Logger as WorkerLogger } from "graphile-worker";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool } from "../src/db/pool.ts";
import { createLogger, type Logger } from "../src/logger.ts";
import { startWorker } from "../src/worker.ts";
import { adminPagesTiming } from "./admin-pages.ts";
import { cpuSample, cpuSince, findPostmaster } from "./lib/cpu.ts";
import { openBenchDatabase, workerLogin } from "./lib/database.ts";
import { loadExecutionHistory } from "./lib/history.ts";
import { JobWatch, numberFields } from "./lib/job-watch.ts";
import { fmt, int, middle, progress, type Stats, summarize, wallNow } from "./lib/output.ts";
import {
  type AutoexecResult,
  type Diagnostics,
  type Drain,
  type ProfileRow,
  printProfile,
  printReport,
  type RawResult,
} from "./lib/report.ts";
import { type LineRun, printWaitingLine, waitingLineRun } from "./lib/waiting-line.ts";
import { scaleTiming } from "./scale.ts";

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

const sizes = {
  jobs: positiveInt(flags.jobs, flags.quick ? 1_000 : 5_000),
  actions: positiveInt(flags.actions, flags.quick ? 400 : 2_000),
  samples: positiveInt(flags.samples, flags.quick ? 100 : 300),
  /**
   * Alternating raw and autoexec drains: a drain lasts a few seconds, and one that a checkpoint or a
   * noisy neighbour lands on can be off by a fifth. The median of rounds taken side by side is not.
   */
  rounds: positiveInt(flags.rounds, flags.quick ? 1 : 3),
  /** Latency samples taken first and thrown away (connections, prepared statements, plan caches). */
  warmup: flags.quick ? 10 : 20,
  /** Past executions loaded to time the stats query (a million span about a year). */
  statsRows: flags.quick ? 100_000 : 1_000_000,
  /** Waiting-line backlogs: the cost of a freed slot with this many actions waiting (docs/waiting.md). */
  backlogs: flags.backlogs
    ? flags.backlogs.split(",").map((size) => positiveInt(size.trim(), 1))
    : flags.quick
      ? [1_000, 10_000]
      : [10_000, 100_000],
  /** Pause between latency samples, after the previous job finished, so the queue is idle. */
  gapMs: 5,
  /** --scale: execution logs loaded (and a tenth as many actions). */
  scaleLogs: positiveInt(flags["scale-logs"], 10_000_000),
};

/** Effectively no limit: the benchmark measures the engine, not the guardrails' refusals. */
const HUGE_LIMIT = 1_000_000_000;
const PHASE_TIMEOUT_MS = 120_000;

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected a positive integer, got ${text}`);
  return value;
}

/** graphile-worker's log lines through pino, as src/worker.ts does (its info lines are debug detail). */
function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    const pinoLevel = level === "warning" ? "warn" : level === "error" ? "error" : "debug";
    log[pinoLevel](meta ?? {}, message);
  });
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

  // The "agent" and the benchmark's own queries use their own connection, never the worker's pool.
  const agent = new pg.Client({ connectionString: database.url, application_name: "autoexec-bench" });
  await agent.connect();
  cleanups.push(() => agent.end());
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
    const raw = await rawThroughput(worker.url, agent);
    const autoexec = await autoexecThroughput(worker.url, agent, round);
    if (round > 0) rounds.push({ raw, autoexec });
  }
  const medianDrain = (side: "raw" | "autoexec") =>
    middle(
      rounds.map((round) => round[side]),
      (drain) => drain.perSecond,
    ) as Throughput;
  const rawDrain = medianDrain("raw");
  const autoexecDrain = medianDrain("autoexec");
  const ceilingDrain = await ceilingThroughput(worker.url, agent);
  const oneJobEachDrain = await oneJobEachThroughput(worker.url, agent);
  const raw: RawResult = {
    jobs: sizes.jobs,
    jobsPerSecond: rawDrain.perSecond,
    drainSeconds: rawDrain.seconds,
    drainCpu: rawDrain.cpu,
    latency: await rawLatency(worker.url, agent, offsetMs),
  };
  const autoexec: AutoexecResult = {
    actions: sizes.actions,
    actionsPerSecond: autoexecDrain.perSecond,
    drainSeconds: autoexecDrain.seconds,
    drainCpu: autoexecDrain.cpu,
    profile: autoexecDrain.profile,
    ...(await autoexecLatency(worker.url, agent, offsetMs)),
  };
  const approval = await approvalLatency(worker.url, agent);
  const diagnostics = await diagnose(agent);
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
        () => startAutoexecWorker(worker.url),
        backlog,
        largest ? sizes.samples : 0,
      ),
    );
  }
  printWaitingLine(lineRuns);
  await statsTiming(database.url, agent);
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

// Throughput: the two drains run back to back, so that both see the same machine --------------------

interface Throughput extends Drain {
  profile?: ProfileRow[];
}

/** 1. Raw graphile-worker: N no-op jobs enqueued in bulk, then drained by a worker started on them. */
async function rawThroughput(url: string, agent: pg.Client): Promise<Throughput> {
  progress(`raw graphile-worker: enqueueing ${int(sizes.jobs)} no-op jobs with graphile_worker.add_jobs`);
  const enqueueStart = performance.now();
  await agent.query(
    `select count(*) from graphile_worker.add_jobs((
       select array_agg(row('noop', json_build_object('seq', -g), null, null, null, null, null, null)
                        ::graphile_worker.job_spec)
       from generate_series(1, $1::int) g))`,
    [sizes.jobs],
  );
  progress(
    `raw: enqueued in ${fmt((performance.now() - enqueueStart) / 1000, 2)} s; vacuum analyze jobs table`,
  );
  await agent.query("vacuum analyze graphile_worker._private_jobs");

  const started = cpuSample();
  const { runner, stop } = await startRawWorker(url);
  const watch = new JobWatch(runner, "noop", (payload) => numberFields(payload, "seq"));
  const finished = await watch.allDone(sizes.jobs, "raw drain", started.wall, PHASE_TIMEOUT_MS);
  const cpu = cpuSince(started);
  await sleep(200); // let the last fire-and-forget completions land
  await stop();
  const seconds = (finished - started.wall) / 1000;
  progress(
    `raw: drained ${int(sizes.jobs)} no-op jobs in ${fmt(seconds, 2)} s = ${int(sizes.jobs / seconds)} jobs/s`,
  );
  return { perSecond: sizes.jobs / seconds, seconds, cpu };
}

/**
 * 2. autoexec: N eligible Tier 1 actions, each on its own mod (last edited two days ago), inserted while
 * no worker runs (the insert trigger enqueues their jobs), then drained by the engine's own worker.
 */
async function autoexecThroughput(url: string, agent: pg.Client, round: number): Promise<Throughput> {
  await agent.query(
    `update autoexec.settings set enabled = true, dry_run = false,
       hourly_limit = $1, daily_limit = $1, rate_limit_key_limit = $1`,
    [HUGE_LIMIT],
  );
  progress(`autoexec: settings live (enabled, dry_run off), hourly/daily/per-key limits ${int(HUGE_LIMIT)}`);

  await insertBacklog(agent, `bench-backlog-${round}`);
  const profiling = flags.profile && (await startProfile(agent));
  const drain = await drainBacklog(agent, "autoexec", () => startAutoexecWorker(url));
  // Read after the drain: stopping the worker adds a handful of statements, too few to show.
  return { ...drain, profile: profiling ? await readProfile(agent) : undefined };
}

/**
 * Starts a worker on a backlog of sizes.actions queued execute_action jobs and times it until the last
 * one succeeded; then every action inserted so far must have ended EXECUTED.
 */
async function drainBacklog(
  agent: pg.Client,
  label: string,
  startDrainWorker: () => Promise<StartedWorker>,
): Promise<Throughput> {
  const started = cpuSample();
  const { runner, stop } = await startDrainWorker();
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  const finished = await watch.allDone(sizes.actions, `${label} drain`, started.wall, PHASE_TIMEOUT_MS);
  const cpu = cpuSince(started);
  await stop();
  await expectAllExecuted(agent, watch.errors);
  const seconds = (finished - started.wall) / 1000;
  progress(
    `${label}: executed ${int(sizes.actions)} actions in ${fmt(seconds, 2)} s = ${int(sizes.actions / seconds)} actions/s`,
  );
  return { perSecond: sizes.actions / seconds, seconds, cpu };
}

/**
 * N eligible Tier 1 actions, each on its own new mod (last edited two days ago), inserted in one
 * transaction while no worker runs: the insert trigger classifies them and enqueues their jobs.
 */
async function insertBacklog(
  agent: pg.Client,
  slugPrefix: string,
  { oneStatementEach = false } = {},
): Promise<void> {
  const started = performance.now();
  await agent.query("begin");
  await agent.query(
    `insert into content.mods (slug, title, externally_modified_at)
     select $2 || '-' || g, 'Bench mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g`,
    [sizes.actions, slugPrefix],
  );
  // The agent's INSERT: the trigger classifies each action and enqueues its execution, in batch jobs
  // when one statement inserts many; oneStatementEach inserts them one by one (a job each).
  const insertActions = (from: number, to: number) =>
    agent.query(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select case when g % 2 = 0 then 'UPDATE_META_DESCRIPTION' else 'ADD_AFFILIATE_LINK' end,
            case when g % 2 = 0
              then jsonb_build_object('modId', m.id, 'metaDescription', 'Benchmark description of mod ' || m.id)
              else jsonb_build_object('modId', m.id, 'affiliateType', 'amazon',
                     'affiliateUrl', 'https://www.amazon.com/dp/B0BENCH' || m.id || '?tag=musthavemods')
            end,
            0.9, 5
     from generate_series($1::int, $3::int) g
     join content.mods m on m.slug = $2 || '-' || g
     order by g`,
      [from, slugPrefix, to],
    );
  if (oneStatementEach) {
    for (let g = 1; g <= sizes.actions; g++) await insertActions(g, g);
  } else {
    await insertActions(1, sizes.actions);
  }
  await agent.query("commit");
  const { rows: queued } = await agent.query<{ count: number }>(
    "select count(*)::int as count from graphile_worker.jobs where task_identifier = 'execute_action'",
  );
  progress(
    `inserted ${int(sizes.actions)} Tier 1 actions ${oneStatementEach ? "one INSERT each" : "in one INSERT"} ` +
      `(half UPDATE_META_DESCRIPTION, half ADD_AFFILIATE_LINK, ` +
      `each on its own mod) with no worker running in ${fmt((performance.now() - started) / 1000, 2)} s; ` +
      `${int(queued[0]?.count ?? 0)} execute_action jobs queued; vacuum analyze`,
  );
  await agent.query("vacuum analyze graphile_worker._private_jobs");
  await agent.query("vacuum analyze autoexec.actions");
  await agent.query("vacuum analyze content.mods");
}

/**
 * 2c. The same engine on a backlog the agent inserted one row per statement: no batch jobs, each action
 * its own keyed job, as an agent that proposes one action at a time produces. For reference.
 */
async function oneJobEachThroughput(url: string, agent: pg.Client): Promise<Throughput> {
  await insertBacklog(agent, "bench-one-each", { oneStatementEach: true });
  return drainBacklog(agent, "autoexec, one job per action", () => startAutoexecWorker(url));
}

/**
 * 2b. The ceiling of one transaction per action on this machine: the same backlog executed by a
 * graphile-worker task that makes ONE database call per action, a PL/pgSQL function that locks the
 * action, changes the mod, writes the execution log and marks the action EXECUTED. No guards, no rate
 * limits, no TypeScript handler, no rollback data: not a way to run autoexec, a yardstick for the
 * target. The function lives in a schema of the benchmark's own database, which is dropped at the end.
 */
async function ceilingThroughput(url: string, agent: pg.Client): Promise<Throughput> {
  await agent.query(`
    create schema if not exists autoexec_bench;
    grant usage on schema autoexec_bench to public;
    create or replace function autoexec_bench.execute_in_one_call(p_action_id bigint) returns void
    language plpgsql volatile set search_path = pg_catalog as $$
    declare
      a autoexec.actions;
      v_now timestamptz := clock_timestamp();
    begin
      perform set_config('autoexec.engine_executing', 'on', true);
      -- As the engine's worker commits its executions (docs/operations.md, "Durability").
      perform set_config('synchronous_commit', 'off', true);
      select * into a from autoexec.actions where id = p_action_id for update;
      if a.status <> 'PENDING' then
        return;
      end if;
      if a.type = 'UPDATE_META_DESCRIPTION' then
        update content.mods set meta_description = a.action_data ->> 'metaDescription'
        where id = (a.action_data ->> 'modId')::bigint;
      else
        update content.mods set affiliate_links = affiliate_links || jsonb_build_array(
          jsonb_build_object('url', a.action_data ->> 'affiliateUrl', 'type', a.action_data ->> 'affiliateType'))
        where id = (a.action_data ->> 'modId')::bigint;
      end if;
      insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
        attempt, input_data, output_data, success, duration_ms, rollback_data)
      values (a.id, a.type, a.execution_tier, v_now, 'auto', 'live', 1, a.action_data, '{}', true, 0, '{}');
      update autoexec.actions set status = 'EXECUTED', executed_at = v_now, execution_attempts = 1,
        last_attempt_at = v_now
      where id = a.id;
    end;
    $$;
    grant execute on function autoexec_bench.execute_in_one_call(bigint) to public;`);
  await insertBacklog(agent, "bench-ceiling");
  return drainBacklog(agent, "ceiling (one call per action)", () => startCeilingWorker(url));
}

/** A plain graphile-worker whose execute_action task makes the one call. */
async function startCeilingWorker(url: string): Promise<StartedWorker> {
  const pool = createPool(url, log, concurrency + 4);
  const runner = await run({
    ...rawWorkerOptions(pool),
    taskList: {
      // A batch job's actions one after another, as the engine's task runs them.
      execute_action: async (payload) => {
        for (const actionId of numberFields(payload, "actionId")) {
          await pool.query("select autoexec_bench.execute_in_one_call($1)", [actionId]);
        }
      },
    },
  });
  return stoppable(runner, pool);
}

// Latency: one job or action at a time, each after the previous one finished and a pause -------------

/** 3. Raw graphile-worker: add_job (its transaction start) -> the worker starts the job. */
async function rawLatency(url: string, agent: pg.Client, offsetMs: number): Promise<Stats> {
  progress(
    `raw: add_job -> task start latency, ${sizes.warmup} warm-up + ${sizes.samples} jobs one at a time`,
  );
  const { runner, stop } = await startRawWorker(url);
  const watch = new JobWatch(runner, "noop", (payload) => numberFields(payload, "seq"));
  const latencies: number[] = [];
  for (let seq = 1; seq <= sizes.warmup + sizes.samples; seq++) {
    const { rows } = await agent.query<{ added_ms: number }>(
      `select extract(epoch from now())::float8 * 1000 as added_ms
       from graphile_worker.add_job('noop', json_build_object('seq', $1::int))`,
      [seq],
    );
    await watch.done(seq);
    const startedAt = watch.times.get(seq)?.startedAt;
    const addedAt = rows[0]?.added_ms;
    if (seq > sizes.warmup && startedAt !== undefined && addedAt !== undefined) {
      latencies.push(startedAt + offsetMs - addedAt);
    }
    if (seq % 100 === 0) progress(`raw latency: ${seq}/${sizes.warmup + sizes.samples}`);
    await sleep(sizes.gapMs);
  }
  await stop();
  const latency = summarize(latencies);
  progress(
    `raw: add_job -> start p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, p99 ${fmt(latency.p99, 2)} ms`,
  );
  return latency;
}

/**
 * 4. autoexec: the agent's INSERT (its transaction start, created_at) -> executed_at in the execution log;
 * also when the worker picked the job up and when the execution had committed (the task returned).
 */
async function autoexecLatency(
  url: string,
  agent: pg.Client,
  offsetMs: number,
): Promise<Pick<AutoexecResult, "latency" | "pickup" | "committed">> {
  progress(
    `autoexec: INSERT -> EXECUTED latency, ${sizes.warmup} warm-up + ${sizes.samples} actions one at a time`,
  );
  const count = sizes.warmup + sizes.samples;
  const { rows: mods } = await agent.query<{ id: number }>(
    `insert into content.mods (slug, title, externally_modified_at)
     select 'bench-latency-' || g, 'Latency mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g
     returning id`,
    [count],
  );
  const { runner, stop } = await startAutoexecWorker(url);
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  const inserted: Array<{ id: number; createdMs: number }> = [];
  // As the agent does it: its own role, one INSERT per action, nothing else.
  await agent.query("set role autoexec_agent");
  for (const [index, mod] of mods.entries()) {
    const data = { modId: mod.id, metaDescription: `Latency probe for mod ${mod.id}` };
    const { rows } = await agent.query<{ id: number; created_ms: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       values ('UPDATE_META_DESCRIPTION', $1, 0.9, 5)
       returning id, extract(epoch from created_at)::float8 * 1000 as created_ms`,
      [JSON.stringify(data)],
    );
    const row = rows[0];
    if (!row) throw new Error("INSERT returned no row");
    await watch.done(row.id);
    if (index >= sizes.warmup) inserted.push({ id: row.id, createdMs: row.created_ms });
    if ((index + 1) % 100 === 0) progress(`autoexec latency: ${index + 1}/${count}`);
    await sleep(sizes.gapMs);
  }
  await agent.query("reset role");
  await stop();
  await expectAllExecuted(agent, watch.errors);

  const { rows: logs } = await agent.query<{ action_id: number; executed_ms: number }>(
    `select action_id, extract(epoch from executed_at)::float8 * 1000 as executed_ms
     from autoexec.execution_logs where success and mode = 'live' and action_id = any($1::bigint[])`,
    [inserted.map((action) => action.id)],
  );
  const executedMs = new Map(logs.map((row) => [row.action_id, row.executed_ms]));
  const latencies: number[] = [];
  const pickups: number[] = [];
  const commits: number[] = [];
  for (const action of inserted) {
    const executed = executedMs.get(action.id);
    const times = watch.times.get(action.id);
    if (executed === undefined || times?.startedAt === undefined || times.finishedAt === undefined) {
      throw new Error(`action ${action.id} has no execution log or no job events`);
    }
    latencies.push(executed - action.createdMs);
    pickups.push(times.startedAt + offsetMs - action.createdMs);
    commits.push(times.finishedAt + offsetMs - action.createdMs);
  }
  const latency = summarize(latencies);
  progress(
    `autoexec: INSERT -> EXECUTED p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, p99 ${fmt(latency.p99, 2)} ms`,
  );
  return { latency, pickup: summarize(pickups), committed: summarize(commits) };
}

/**
 * Tier 2: an admin approves a pending action (autoexec.approve_action, as the API does it) and the
 * worker executes it. Measured from the approval (reviewed_at, the approving transaction's time) to
 * executed_at of its log, one action at a time on an idle queue.
 */
async function approvalLatency(url: string, agent: pg.Client): Promise<Stats> {
  const count = sizes.warmup + sizes.samples;
  progress(
    `autoexec: approve -> EXECUTED latency (Tier 2), ${sizes.warmup} warm-up + ${sizes.samples} approvals one at a time`,
  );
  const { rows: mods } = await agent.query<{ id: number }>(
    `insert into content.mods (slug, title, externally_modified_at)
     select 'bench-approval-' || g, 'Approval mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g
     returning id`,
    [count],
  );
  await agent.query("set role autoexec_agent");
  const { rows: actions } = await agent.query<{ id: number }>(
    `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select 'EXPAND_CONTENT', jsonb_build_object('modId', id, 'content', 'Approved text for mod ' || id), 0.9, 5
     from unnest($1::bigint[]) as id
     returning id`,
    [mods.map((mod) => mod.id)],
  );
  await agent.query("reset role");
  const { runner, stop } = await startAutoexecWorker(url);
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  for (const [index, action] of actions.entries()) {
    await agent.query("begin");
    await agent.query("set local role autoexec_admin");
    await agent.query("select set_config('jwt.claims.sub', 'bench-admin', true)");
    await agent.query("select autoexec.approve_action($1, 'bench')", [action.id]);
    await agent.query("commit");
    await watch.done(action.id);
    if ((index + 1) % 100 === 0) progress(`approval latency: ${index + 1}/${count}`);
    await sleep(sizes.gapMs);
  }
  await stop();
  const { rows } = await agent.query<{ ms: number }>(
    `select extract(epoch from l.executed_at - a.reviewed_at)::float8 * 1000 as ms
     from autoexec.actions a join autoexec.execution_logs l on l.action_id = a.id and l.success and l.mode = 'live'
     where a.id = any($1::bigint[]) order by a.id`,
    [actions.slice(sizes.warmup).map((action) => action.id)],
  );
  if (rows.length !== sizes.samples)
    throw new Error(`expected ${sizes.samples} approved executions, found ${rows.length}`);
  const latency = summarize(rows.map((row) => row.ms));
  progress(`autoexec: approve -> EXECUTED p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms`);
  return latency;
}

/** GET /api/monetization/execution/stats is one SQL function: its time over a large execution log. */
async function statsTiming(url: string, agent: pg.Client): Promise<void> {
  progress(`stats: loading ${int(sizes.statsRows)} past executions (bulk, indexes rebuilt after)`);
  const pool = createPool(url, log, 2);
  const started = performance.now();
  await loadExecutionHistory(pool, sizes.statsRows);
  await pool.end();
  progress(
    `stats: loaded in ${fmt((performance.now() - started) / 1000, 1)} s; timing autoexec.execution_stats as a viewer`,
  );
  const time = async (from: string | null) => {
    const samples: number[] = [];
    for (let i = 0; i < 4; i++) {
      await agent.query("begin");
      await agent.query("set local role autoexec_viewer");
      const t0 = performance.now();
      await agent.query("select autoexec.execution_stats($1) as stats", [from]);
      samples.push(performance.now() - t0);
      await agent.query("commit");
    }
    return summarize(samples.slice(1)).p50; // the first call warms the cache
  };
  const month = await time(null);
  const year = await time(new Date(Date.now() - 366 * 86_400_000).toISOString());
  console.log(
    `\nstats over ${int(sizes.statsRows)} execution logs (median of 3 warm calls): default 30 days ${fmt(month, 0)} ms, ` +
      `a whole year ${fmt(year, 0)} ms`,
  );
}

function printApprovalLatency(latency: Stats): void {
  console.log(
    `\nTier 2 approve -> EXECUTED (PRD: within 5 minutes): p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, ` +
      `p99 ${fmt(latency.p99, 2)} ms over ${latency.n} approvals`,
  );
}

// Workers: both with autoexec's concurrency, pool size and login ----------------------------------------

interface StartedWorker {
  runner: Runner;
  stop: () => Promise<void>;
}

/** graphile-worker as startWorker runs it, with a task list of one no-op task and no crontab. */
async function startRawWorker(url: string): Promise<StartedWorker> {
  const pool = createPool(url, log, concurrency + 4);
  const runner = await run({ ...rawWorkerOptions(pool), taskList: { noop: async () => {} } });
  return stoppable(runner, pool);
}

/** The options startWorker gives graphile-worker, for a worker with a task list of the caller's. */
function rawWorkerOptions(pool: pg.Pool) {
  return {
    pgPool: pool,
    concurrency,
    pollInterval: 2000,
    noHandleSignals: true,
    logger: workerLogger(log.child({ component: "graphile-worker" })),
  };
}

/** The engine's own worker (src/worker.ts): execute_action, the sweep crontab, the real handlers. */
async function startAutoexecWorker(url: string): Promise<StartedWorker> {
  const pool = createPool(url, log, concurrency + 4);
  const runner = await startWorker({ pool, log, concurrency });
  return stoppable(runner, pool);
}

function stoppable(runner: Runner, pool: pg.Pool): StartedWorker {
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
}

/**
 * Every action the benchmark inserted so far (the backlogs, then the latency probes) must have ended
 * EXECUTED; anything else means a guard refused it.
 */
async function expectAllExecuted(agent: pg.Client, jobErrors: number): Promise<void> {
  const { rows } = await agent.query<{ status: string; count: number; reason: string | null }>(
    `select status, count(*)::int as count, min(status_reason) as reason
     from autoexec.actions group by status order by status`,
  );
  if (rows.some((row) => row.status !== "EXECUTED") || jobErrors > 0) {
    const detail = rows.map((row) => `${row.status}: ${row.count}${row.reason ? ` (${row.reason})` : ""}`);
    throw new Error(`every action should have been EXECUTED; ${jobErrors} job errors; ${detail.join("; ")}`);
  }
}

/**
 * The serial section of a live execution: claim_execution_slot takes a global advisory lock that is held
 * until the execution commits, and counts the live executions in the windows whose limit can bind.
 * Timed as one statement of 50 calls, in a transaction that is rolled back.
 */
async function diagnose(agent: pg.Client): Promise<Diagnostics> {
  const { rows: window } = await agent.query<{ count: number }>(
    `select count(*)::int as count from autoexec.execution_logs
     where success and mode = 'live' and executed_by = 'auto' and executed_at > now() - interval '24 hours'`,
  );
  const calls = 50;
  const windowRows = window[0]?.count ?? 0;
  await agent.query("begin");
  try {
    const started = performance.now();
    // Correlated with g (g > 0 is always true), so the function runs once per row, not once in all.
    await agent.query(
      `select count(*) from generate_series(1, $1::int) g
         cross join autoexec.actions a
         join autoexec.action_types t on t.type = a.type
         cross join autoexec.settings s
         cross join lateral autoexec_private.claim_execution_slot(a, s, t, g > 0)
       where a.id = (select max(id) from autoexec.actions)`,
      [calls],
    );
    return { windowRows, claimSlotMs: (performance.now() - started) / calls };
  } catch (error) {
    log.warn({ err: error }, "could not time claim_execution_slot");
    return { windowRows, claimSlotMs: Number.NaN };
  } finally {
    await agent.query("rollback");
  }
}

// --profile -----------------------------------------------------------------------------------------

/** Resets pg_stat_statements; false (with a note) when the server has not loaded it. */
async function startProfile(agent: pg.Client): Promise<boolean> {
  try {
    await agent.query("create extension if not exists pg_stat_statements");
    await agent.query("select pg_stat_statements_reset()");
    return true;
  } catch (error) {
    progress(`--profile: pg_stat_statements is not available (${(error as Error).message}); no profile`);
    return false;
  }
}

async function readProfile(agent: pg.Client): Promise<ProfileRow[]> {
  const { rows } = await agent.query<ProfileRow>(
    `select calls::int as calls, total_exec_time::float8 as total_ms, (total_exec_time / calls)::float8 as mean_ms,
            toplevel, regexp_replace(query, '\\s+', ' ', 'g') as query
     from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database()) and calls > 0
     order by total_exec_time desc limit 15`,
  );
  return rows;
}
