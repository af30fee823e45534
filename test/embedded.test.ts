import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { testLog } from "./support/db.ts";
import { waitFor } from "./support/wait.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const dataDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-embedded-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first stdout line matching `pattern`. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((candidate) => pattern.test(candidate));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code} before printing ${pattern}:\n${seen}`)));
  });
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query("select 1 as one");
  await client.end();
  return rows[0].one === 1;
}

describe("embedded PostgreSQL", () => {
  it("recovers when the process that started it was SIGKILLed and left the server running", async () => {
    const child = spawn(process.execPath, ["test/support/start-embedded.ts", dataDir], { cwd: ROOT });
    const pid = Number((await waitForLine(child, /^postmaster \d+/)).split(" ")[1]);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(isAlive(pid)).toBe(true); // orphaned, still holding the data directory

    const server = await startEmbeddedPostgres({ dataDir, log: testLog });
    try {
      expect(isAlive(pid)).toBe(false);
      expect(await canQuery(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("says why when the server cannot start, with the end of its log", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      await expect(startEmbeddedPostgres({ dataDir, port, log: testLog })).rejects.toThrow(
        new RegExp(
          `did not start on port ${port} \\(pg_ctl: .*\\); the end of .*server\\.log:\n[^]*Address already in use`,
        ),
      );
    } finally {
      taken.close();
    }
  });

  it("recovers from a stale postmaster.pid whose process is gone", async () => {
    await writeFile(path.join(dataDir, "postmaster.pid"), "999999\n/nowhere\n");
    const server = await startEmbeddedPostgres({ dataDir, log: testLog });
    try {
      expect(await canQuery(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  });
});

describe("npm start on the embedded default", () => {
  /**
   * Runs `npm start`'s entry point on a fresh embedded data directory; `use` gets the child and what
   * it printed so far. Detached, it leads a process group of its own, as a command in a terminal does.
   */
  async function withStart(
    use: (child: ChildProcess, pgDir: string, output: () => string) => Promise<void>,
    { detached = false } = {},
  ): Promise<void> {
    const startDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-start-"));
    await chmod(startDir, 0o755); // PostgreSQL runs as another user when we are root
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EMBEDDED_PG_DIR: path.join(startDir, "pg"),
      LOG_LEVEL: "info",
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["src/bin/start.ts"], { cwd: ROOT, env, detached });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    try {
      await use(child, path.join(startDir, "pg"), () => output);
    } finally {
      child.kill("SIGKILL");
      await rm(startDir, { recursive: true, force: true });
    }
  }

  /** Sends `stop`; expects a clean exit 0 that also stopped the embedded server. */
  async function expectCleanStop(
    child: ChildProcess,
    pgDir: string,
    stop = () => child.kill("SIGTERM"),
  ): Promise<void> {
    const pid = Number((await readFile(path.join(pgDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    stop();
    expect(await exited).toBe(0);
    expect(existsSync(path.join(pgDir, "postmaster.pid"))).toBe(false);
    // pg_ctl reports the server stopped once its pid file is gone; the process ends a moment later
    // (here it also waits to be reaped: pg_ctl detached it, so its parent is now pid 1).
    await waitFor(() => !isAlive(pid), 10_000, { what: `the postmaster (pid ${pid}) to end` });
  }

  it("migrates, runs the engine, and on SIGTERM stops the worker and the embedded server", async () => {
    await withStart(async (child, pgDir) => {
      await waitForLine(child, /autoexec is running/);
      await expectCleanStop(child, pgDir);
    });
  });

  it("stops cleanly on a SIGTERM that comes while it is still starting", async () => {
    await withStart(async (child, pgDir) => {
      await waitForLine(child, /embedded PostgreSQL started/);
      await expectCleanStop(child, pgDir);
    });
  });

  it("on a Ctrl-C in a terminal, finishes before its PostgreSQL stops: no connection errors", async () => {
    await withStart(
      async (child, pgDir, output) => {
        await waitForLine(child, /autoexec is running/);
        // A terminal sends Ctrl-C's SIGINT to every process of the foreground group.
        await expectCleanStop(child, pgDir, () => process.kill(-(child.pid as number), "SIGINT"));
        const afterSignal = output().slice(output().indexOf('"signal":"SIGINT"'));
        expect(afterSignal).toContain("stopping");
        expect(afterSignal).not.toMatch(/"level":(40|50|60)/);
      },
      { detached: true },
    );
  });
});
