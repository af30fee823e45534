/** The final table, the breakdowns and the bar charts. */
import os from "node:os";
import type { CpuUse } from "./cpu.ts";
import { bar, fmt, int, middle, type Stats } from "./output.ts";

/** autoexec INSERT -> EXECUTED p95 at most this; autoexec throughput at least this share of raw no-op. */
export const TARGETS = { latencyP95Ms: 25, throughputRatio: 0.4 };

export interface RawResult {
  jobs: number;
  jobsPerSecond: number;
  drainSeconds: number;
  drainCpu: CpuUse;
  latency: Stats;
}

export interface AutoexecResult {
  actions: number;
  actionsPerSecond: number;
  drainSeconds: number;
  drainCpu: CpuUse;
  /** --profile: the statements the drain spent its database time in. */
  profile?: ProfileRow[];
  /** INSERT (created_at) -> execution_logs.executed_at: the headline latency. */
  latency: Stats;
  /** INSERT -> the worker picked the job up. */
  pickup: Stats;
  /** INSERT -> the execute_action task returned (execution committed). */
  committed: Stats;
}

/** One drain of a backlog: its rate, duration and CPU use. */
export interface Drain {
  perSecond: number;
  seconds: number;
  cpu: CpuUse;
}

export interface Diagnostics {
  windowRows: number;
  claimSlotMs: number;
}

export interface ProfileRow {
  calls: number;
  total_ms: number;
  mean_ms: number;
  toplevel: boolean;
  query: string;
}

export function printReport(
  machine: string[],
  raw: RawResult,
  autoexec: AutoexecResult,
  /** The one-call ceiling (the yardstick), and the engine on a backlog of one job per action. */
  references: { ceiling: Drain; oneJobEach: Drain },
  diagnostics: Diagnostics,
  /** autoexec / raw of each round of alternating drains; the median is the verdict. */
  roundRatios: number[],
): void {
  const { ceiling, oneJobEach } = references;
  const ratio = middle(roundRatios, (value) => value) ?? Number.NaN;
  const throughputPass = ratio >= TARGETS.throughputRatio;
  const latencyPass = autoexec.latency.p95 <= TARGETS.latencyP95Ms;
  const verdict = (pass: boolean) => (pass ? "PASS" : "MISS");
  const ms = (value: number) => fmt(value, 2);
  const pct = (value: number) => `${fmt(value * 100, 0)}%`;
  const signed = (value: number) => `${value < 0 ? "-" : "+"}${ms(Math.abs(value))}`;

  const rows: Array<[string, string, string, string]> = [
    ["", "raw graphile-worker", "autoexec", "autoexec vs raw"],
    [
      "throughput",
      `${int(raw.jobsPerSecond)} jobs/s`,
      `${int(autoexec.actionsPerSecond)} actions/s`,
      `${fmt(ratio * 100, 1)}%${roundRatios.length > 1 ? " (median round)" : ""}`,
    ],
    [
      "  drained",
      `${int(raw.jobs)} in ${fmt(raw.drainSeconds, 2)} s`,
      `${int(autoexec.actions)} in ${fmt(autoexec.drainSeconds, 2)} s`,
      "",
    ],
    ["latency (ms)", "add_job -> start", "INSERT -> EXECUTED", ""],
    ...(["p50", "p95", "p99", "max", "mean"] as const).map((key): [string, string, string, string] => [
      `  ${key}`,
      ms(raw.latency[key]),
      ms(autoexec.latency[key]),
      `${signed(autoexec.latency[key] - raw.latency[key])} (${fmt(autoexec.latency[key] / raw.latency[key], 1)}x)`,
    ]),
    ["  samples", String(raw.latency.n), String(autoexec.latency.n), ""],
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("   ");

  console.log(`\n${"=".repeat(100)}\nRESULTS  ${new Date().toISOString()}`);
  for (const text of machine) console.log(text);
  console.log("");
  for (const row of rows) console.log(line(row));

  console.log("\nautoexec latency breakdown (ms from the INSERT's transaction start, p50 / p95 / p99):");
  const breakdown: Array<[string, Stats]> = [
    ["  worker picked the job up", autoexec.pickup],
    ["  executed_at (logged, in the execution transaction)", autoexec.latency],
    ["  execution committed (task returned)", autoexec.committed],
  ];
  for (const [label, stats] of breakdown) {
    console.log(
      `${label.padEnd(60)} ${ms(stats.p50).padStart(7)} / ${ms(stats.p95).padStart(7)} / ${ms(stats.p99).padStart(7)}`,
    );
  }
  const cores = os.availableParallelism();
  /** CPU milliseconds per job: Node + PostgreSQL when the server's CPU is known, else the whole machine. */
  const cpuPerJob = (use: CpuUse, seconds: number, count: number) =>
    ((use.serverCores === undefined ? use.machineBusy * cores : use.nodeCores + use.serverCores) *
      seconds *
      1000) /
    count;
  const rawCpuMs = cpuPerJob(raw.drainCpu, raw.drainSeconds, raw.jobs);
  const autoCpuMs = cpuPerJob(autoexec.drainCpu, autoexec.drainSeconds, autoexec.actions);
  const cpu = (use: CpuUse, seconds: number, count: number) => {
    const machineCores = use.machineBusy * cores;
    const ours = use.nodeCores + (use.serverCores ?? Number.NaN);
    return {
      machine: pct(use.machineBusy),
      node: fmt(use.nodeCores, 2),
      server: use.serverCores === undefined ? "n/a" : fmt(use.serverCores, 2),
      others: use.serverCores === undefined ? "n/a" : fmt(Math.max(0, machineCores - ours), 2),
      perJob: fmt(cpuPerJob(use, seconds, count), 2),
      queries: fmt(use.queries / count, 1),
    };
  };
  const rawCpu = cpu(raw.drainCpu, raw.drainSeconds, raw.jobs);
  const autoCpu = cpu(autoexec.drainCpu, autoexec.drainSeconds, autoexec.actions);
  const ceilingCpu = cpu(ceiling.cpu, ceiling.seconds, autoexec.actions);
  const perJobLabel =
    autoexec.drainCpu.serverCores === undefined
      ? "CPU ms per job (whole machine)"
      : "CPU ms per job (Node + PostgreSQL)";
  const cpuRows: Array<[string, string, string, string]> = [
    ["during the drains", "raw", "autoexec", "ceiling"],
    [`  machine CPU busy (${cores} cores)`, rawCpu.machine, autoCpu.machine, ceilingCpu.machine],
    ["  this Node process (cores)", rawCpu.node, autoCpu.node, ceilingCpu.node],
    ["  PostgreSQL server (cores)", rawCpu.server, autoCpu.server, ceilingCpu.server],
    ["  other processes (cores)", rawCpu.others, autoCpu.others, ceilingCpu.others],
    [`  ${perJobLabel}`, rawCpu.perJob, autoCpu.perJob, ceilingCpu.perJob],
    ["  queries per job", rawCpu.queries, autoCpu.queries, ceilingCpu.queries],
  ];
  console.log("");
  for (const [label, a, b, c] of cpuRows) {
    console.log(`${label.padEnd(38)} ${a.padStart(8)}   ${b.padStart(8)}   ${c.padStart(8)}`);
  }
  console.log(
    "  (ceiling: the same actions in the same jobs, each executed by one database call, without guards, rate " +
      "limits, handler or rollback data: the most one transaction per action gets out of this machine)",
  );
  console.log(
    `\nserial section: claim_execution_slot ${fmt(diagnostics.claimSlotMs, 3)} ms per call with ` +
      `${int(diagnostics.windowRows)} live executions in the 24 h window (exclusive lock, held until commit, only while a limit can bind)`,
  );

  console.log(`\nlatency percentiles (ms), target p95 <= ${TARGETS.latencyP95Ms} ms marked with ┊`);
  const bars: Array<[string, number]> = [
    ["raw add_job -> start        p50", raw.latency.p50],
    ["                            p95", raw.latency.p95],
    ["                            p99", raw.latency.p99],
    ["autoexec INSERT -> EXECUTED p50", autoexec.latency.p50],
    ["                            p95", autoexec.latency.p95],
    ["                            p99", autoexec.latency.p99],
  ];
  const scale = Math.max(TARGETS.latencyP95Ms, ...bars.map(([, value]) => value)) * 1.05;
  for (const [label, value] of bars)
    console.log(`${label} ${bar(value, scale, 50, TARGETS.latencyP95Ms)} ${ms(value)}`);

  console.log(
    `\nthroughput (per second), target autoexec >= ${TARGETS.throughputRatio * 100}% of raw marked with ┊`,
  );
  const throughputScale =
    Math.max(raw.jobsPerSecond, autoexec.actionsPerSecond, ceiling.perSecond, oneJobEach.perSecond) * 1.05;
  const targetRate = raw.jobsPerSecond * TARGETS.throughputRatio;
  console.log(
    `raw no-op jobs              ${bar(raw.jobsPerSecond, throughputScale, 50, targetRate)} ${int(raw.jobsPerSecond)}`,
  );
  console.log(
    `autoexec actions            ${bar(autoexec.actionsPerSecond, throughputScale, 50, targetRate)} ${int(autoexec.actionsPerSecond)}`,
  );
  console.log(
    `one-call ceiling            ${bar(ceiling.perSecond, throughputScale, 50, targetRate)} ${int(ceiling.perSecond)}`,
  );
  console.log(
    `autoexec, one job each      ${bar(oneJobEach.perSecond, throughputScale, 50, targetRate)} ${int(oneJobEach.perSecond)}`,
  );

  console.log("\ntargets:");
  console.log(
    `  throughput >= ${TARGETS.throughputRatio * 100}% of raw no-op: ${fmt(ratio * 100, 1)}%  ${verdict(throughputPass)}`,
  );
  if (roundRatios.length > 1) {
    console.log(
      `    median of ${roundRatios.length} rounds of alternating drains; each round: ` +
        `${roundRatios.map((value) => `${fmt(value * 100, 1)}%`).join(", ")} (the table shows the median drains)`,
    );
  }
  console.log(
    `    per CPU-ms instead of per second (insensitive to other load): ${fmt((rawCpuMs / autoCpuMs) * 100, 1)}% ` +
      `(${fmt(autoCpuMs, 2)} vs ${fmt(rawCpuMs, 2)} CPU ms per action / job)`,
  );
  console.log(
    `    for reference, the one-call ceiling: ${fmt((ceiling.perSecond / raw.jobsPerSecond) * 100, 1)}% ` +
      `(${int(ceiling.perSecond)} actions/s; autoexec reaches ` +
      `${fmt((autoexec.actionsPerSecond / ceiling.perSecond) * 100, 0)}% of it)`,
  );
  console.log(
    `    for reference, a backlog inserted one row per INSERT (one job per action, no batch jobs): ` +
      `${fmt((oneJobEach.perSecond / raw.jobsPerSecond) * 100, 1)}% (${int(oneJobEach.perSecond)} actions/s)`,
  );
  console.log(
    `  INSERT -> EXECUTED p95 <= ${TARGETS.latencyP95Ms} ms: ${ms(autoexec.latency.p95)} ms ` +
      `(raw add_job p95 ${ms(raw.latency.p95)} ms, ${signed(autoexec.latency.p95 - raw.latency.p95)} ms)  ${verdict(latencyPass)}`,
  );
  console.log("=".repeat(100));
}

export function printProfile(rows: ProfileRow[], actions: number): void {
  console.log(
    "\n--profile: database time of the autoexec drain by statement (pg_stat_statements, track=all; nested " +
      "statements run inside the top-level ones, so their times overlap):",
  );
  console.log(
    `${"ms/action".padStart(10)} ${"mean ms".padStart(8)} ${"calls".padStart(7)}  level   statement`,
  );
  for (const row of rows) {
    console.log(
      `${fmt(row.total_ms / actions, 3).padStart(10)} ${fmt(row.mean_ms, 3).padStart(8)} ` +
        `${String(row.calls).padStart(7)}  ${row.toplevel ? "top   " : "nested"}  ${row.query.slice(0, 90)}`,
    );
  }
}
