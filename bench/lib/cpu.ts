/** Where the time goes: CPU of the machine, of this process and of the PostgreSQL server, and round trips. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";

export interface CpuSample {
  busy: number;
  total: number;
  process: NodeJS.CpuUsage;
  /** CPU milliseconds of the PostgreSQL server's processes, when they can be read (local server, Linux). */
  server: number | undefined;
  wall: number;
  queries: number;
}

export interface CpuUse {
  /** Share of all cores in use, machine-wide (this process, PostgreSQL and anything else). */
  machineBusy: number;
  /** Cores' worth of CPU used by this process (worker and benchmark). */
  nodeCores: number;
  /** Cores' worth of CPU used by the PostgreSQL server, when known. */
  serverCores: number | undefined;
  /** pg queries (round trips) sent by this process. */
  queries: number;
}

/**
 * Every pg query this process sends (worker pool, LISTEN client, the benchmark's own connection).
 * Counted by wrapping Client#query, which pg.Pool and graphile-worker both go through.
 */
let queryCount = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queryCount++;
  return (originalQuery as (...args: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

/** The postmaster's pid when the server runs on this machine and /proc can be read (Linux). */
let postmasterPid: number | undefined;
/** On a shared server, only the backends of this database count (their title names it). */
let onlyDatabase: string | undefined;
/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const CLOCK_TICK_MS = 10;

/** pid, parent pid and CPU ms (own, plus reaped children's) of one process from /proc/<pid>/stat. */
function procStat(pid: string): { ppid: number; ownMs: number; childrenMs: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const number = (index: number) => Number(fields[index] ?? 0);
    return {
      ppid: number(1),
      ownMs: (number(11) + number(12)) * CLOCK_TICK_MS,
      childrenMs: (number(13) + number(14)) * CLOCK_TICK_MS,
    };
  } catch {
    return undefined;
  }
}

/**
 * Finds the local postmaster from a backend's pid, so the server's CPU can be measured. On a server of
 * its own (embedded) every server process counts; on a shared one (`database` given) only the backends
 * connected to that database, not the background processes nor other databases' backends.
 */
export async function findPostmaster(client: pg.Client, database?: string): Promise<string> {
  onlyDatabase = database;
  const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
  const backend = rows[0]?.pid;
  if (backend === undefined || !existsSync(`/proc/${backend}/cmdline`))
    return "n/a (server not on this machine)";
  if (!readFileSync(`/proc/${backend}/cmdline`, "utf8").startsWith("postgres"))
    return "n/a (not found in /proc)";
  postmasterPid = procStat(String(backend))?.ppid;
  return database === undefined
    ? "every process of the server (it is the benchmark's own)"
    : `only the backends of database ${database} (shared server)`;
}

/**
 * CPU ms of the server: the postmaster and all its children (backends, background workers, and the
 * exited ones, reaped into the postmaster's children time), or only one database's live backends.
 */
function serverCpuMs(): number | undefined {
  if (postmasterPid === undefined) return undefined;
  const postmaster = procStat(String(postmasterPid));
  if (!postmaster) return undefined;
  let total = onlyDatabase === undefined ? postmaster.ownMs + postmaster.childrenMs : 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = procStat(pid);
    if (stat?.ppid !== postmasterPid) continue;
    if (onlyDatabase !== undefined && !processTitle(pid).includes(` ${onlyDatabase} `)) continue;
    total += stat.ownMs;
  }
  return total;
}

/** A backend's title: "postgres: user database host(port) state". */
function processTitle(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

export function cpuSample(): CpuSample {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return {
    busy,
    total,
    process: process.cpuUsage(),
    server: serverCpuMs(),
    wall: performance.now(),
    queries: queryCount,
  };
}

export function cpuSince(start: CpuSample): CpuUse {
  const end = cpuSample();
  const own = process.cpuUsage(start.process);
  const wall = Math.max(1, end.wall - start.wall);
  return {
    machineBusy: (end.busy - start.busy) / Math.max(1, end.total - start.total),
    nodeCores: (own.user + own.system) / 1000 / wall,
    serverCores:
      start.server === undefined || end.server === undefined ? undefined : (end.server - start.server) / wall,
    queries: end.queries - start.queries,
  };
}
