import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { testLog } from "./support/db.ts";

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
  /** Runs `npm start`'s entry point on a fresh embedded data directory; `use` gets the child. */
  async function withStart(use: (child: ChildProcess, pgDir: string) => Promise<void>): Promise<void> {
    const startDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-start-"));
    await chmod(startDir, 0o755); // PostgreSQL runs as another user when we are root
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EMBEDDED_PG_DIR: path.join(startDir, "pg"),
      LOG_LEVEL: "info",
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["src/bin/start.ts"], { cwd: ROOT, env });
    try {
      await use(child, path.join(startDir, "pg"));
    } finally {
      child.kill("SIGKILL");
      await rm(startDir, { recursive: true, force: true });
    }
  }

  /** Sends SIGTERM; expects a clean exit 0 that also stopped the embedded server. */
  async function expectCleanStop(child: ChildProcess, pgDir: string): Promise<void> {
    const pid = Number((await readFile(path.join(pgDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(pgDir, "postmaster.pid"))).toBe(false);
  }

  it("migrates, runs the engine, and on SIGTERM stops the worker and the embedded server", async () => {
    await withStart(async (child, pgDir) => {
      await waitForLine(child, /autoexec is running/);
      await expectCleanStop(child, pgDir);
    });
  });

  it("stops cleanly on a SIGTERM that comes while it is still starting", async () => {
    await withStart(async (child, pgDir) => {
      const announced = waitForLine(child, /autoexec is running/);
      announced.catch(() => {}); // it may or may not get there before it stops
      await waitForLine(child, /embedded PostgreSQL started/);
      await expectCleanStop(child, pgDir);
    });
  });
});
