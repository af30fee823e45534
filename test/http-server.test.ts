import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, getAction, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { loginUrl, TEST_JWT_SECRET } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

interface Process {
  child: ChildProcess;
  output: string[];
  /** pino's JSON lines so far. */
  lines(): Record<string, unknown>[];
}

const running: Process[] = [];

/** `node src/bin/<script>` as npm would run it, with exactly the environment given (plus PATH). */
function run(script: string, env: Record<string, string>, args: string[] = []): Process {
  const child = spawn(process.execPath, [`src/bin/${script}`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  const proc = {
    child,
    output,
    lines: () =>
      output
        .join("")
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
  running.push(proc);
  return proc;
}

async function exitCode(proc: Process): Promise<number | null> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.child.exitCode;
  const [code] = await once(proc.child, "exit");
  return code;
}

async function stop(proc: Process): Promise<number | null> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGTERM");
  return exitCode(proc);
}

/** The first JSON log line that has `field`, once the process has printed it. */
async function printedLine(proc: Process, field: string, what: string): Promise<Record<string, string>> {
  let found: Record<string, unknown> | undefined;
  await waitFor(
    () => {
      if (proc.child.exitCode !== null) throw new Error(`exited early:\n${proc.output.join("")}`);
      found = proc.lines().find((line) => typeof line[field] === "string");
      return Boolean(found);
    },
    60_000,
    { what, describe: () => proc.output.join("").slice(-2000) },
  );
  return found as Record<string, string>;
}

/** Waits for the log line saying the HTTP server listens, and returns its URLs. */
function urlsOf(proc: Process): Promise<Record<string, string>> {
  return printedLine(proc, "graphiql", "the server to listen");
}

async function token(env: Record<string, string>, role: string, sub: string): Promise<string> {
  const proc = run("token.ts", env, ["--role", role, "--sub", sub]);
  expect(await exitCode(proc)).toBe(0);
  // stdout holds the token alone; warnings go to stderr (and are JSON).
  const jwt = proc.output
    .join("")
    .trim()
    .split("\n")
    .find((line) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
  expect(jwt).toBeTruthy();
  return jwt as string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    WORKER_DATABASE_URL: await loginUrl(db, "autoexec_worker"),
    SERVER_DATABASE_URL: await loginUrl(db, "autoexec_server"),
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: "0",
  };
});
afterEach(async () => {
  const codes = await Promise.all(running.splice(0).map(stop));
  expect(codes.every((code) => code === 0 || code === 2)).toBe(true);
});
afterAll(() => db?.drop());

describe("npm start", () => {
  it("runs the engine and the admin API on one port, as autoexec_worker and autoexec_server", async () => {
    const start = run("start.ts", env);
    const urls = await urlsOf(start);
    expect(urls.graphql).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(start.lines().some((line) => String(line.msg).includes(urls.graphiql as string))).toBe(true);
    // A real deployment's logs get no credential, only how to make one.
    await printedLine(start, "msg", "the token hint");
    await waitFor(() => start.output.join("").includes("make an admin token with:"), 10_000, {
      what: "the hint how to make a token",
    });
    expect(start.output.join("")).not.toMatch(/adminToken|eyJ/);

    expect((await fetch(urls.health as string)).status).toBe(200);
    const graphiql = await fetch(urls.graphiql as string);
    expect(graphiql.status).toBe(200);
    expect(graphiql.headers.get("content-type")).toMatch(/text\/html/);
    expect((await fetch(urls.graphql as string, { method: "POST" })).status).toBe(401);

    const admin = await token({ JWT_SECRET: TEST_JWT_SECRET }, "admin", "alice");
    const auth = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
    await goLive(db.pool);
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await waitFor(async () => (await getAction(db.pool, actionId)).status === "EXECUTED", 20_000, {
      what: "npm start's worker to execute the action",
      describe: () => start.output.join("").slice(-2000),
    });
    const graphql = await fetch(urls.graphql as string, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ query: "{ allExecutionLogs { totalCount nodes { executedBy } } }" }),
    });
    expect(await graphql.json()).toEqual({
      data: { allExecutionLogs: { totalCount: 1, nodes: [{ executedBy: "auto" }] } },
    });
    const stats = await fetch(`${urls.rest}/execution/stats`, { headers: auth });
    expect(((await stats.json()) as { today: { autoExecuted: number } }).today.autoExecuted).toBe(1);
    const openapi = await fetch(urls.openapi as string);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe("3.1.0");

    const { rows } = await db.pool.query(
      `select distinct application_name, usename::text from pg_stat_activity
       where datname = current_database() and usename::text like 'autoexec\\_%' order by 1`,
    );
    // The worker's connections log in as autoexec_worker, the API's (autoexec-api*) as autoexec_server.
    expect(rows).toContainEqual({ application_name: "autoexec", usename: "autoexec_worker" });
    expect(rows).toContainEqual({ application_name: "autoexec-api", usename: "autoexec_server" });
    for (const row of rows) {
      expect(row.usename).toBe(row.application_name === "autoexec" ? "autoexec_worker" : "autoexec_server");
    }
    expect(start.output.join("")).not.toMatch(/superuser|"level":50/);
    // With DATABASE_URL nothing is seeded: the only mod is the one this test inserted.
    const { rows: content } = await db.pool.query(
      "select (select count(*)::int from content.mods) as mods, (select count(*)::int from content.collections) as collections",
    );
    expect(content[0]).toEqual({ mods: 1, collections: 0 });
    expect(await stop(start)).toBe(0);
  });

  it("on a fresh embedded database: loads the demo, and within a minute the three tiers show in the API", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-demo-"));
    await chmod(dir, 0o755);
    const demo = { EMBEDDED_PG_DIR: path.join(dir, "pg"), PORT: "0", DEMO_INTERVAL_MS: "200" };
    try {
      const start = run("start.ts", demo);
      const urls = await urlsOf(start);
      // Its output is not a terminal: no token in the logs, but how to make one.
      await waitFor(
        () => start.output.join("").includes("make an admin token with: npm run -s token"),
        30_000,
        {
          what: "the hint how to make a token",
        },
      );
      expect(start.output.join("")).not.toMatch(/adminToken|eyJ/);
      const adminToken = await token(demo, "admin", "admin");
      const auth = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
      const query = async (graphql: string) => {
        const answer = await fetch(urls.graphql as string, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ query: graphql }),
        });
        return ((await answer.json()) as { data: Record<string, { totalCount: number }> }).data;
      };
      const tierCount = async (tier: string) =>
        (await query(`{ allActions(condition: { executionTier: ${tier} }) { totalCount } }`)).allActions
          ?.totalCount ?? 0;
      await waitFor(
        async () => {
          const stats = await fetch(`${urls.rest}/execution/stats`, { headers: auth });
          const dryRuns = ((await stats.json()) as { today: { dryRuns: number } }).today.dryRuns;
          return dryRuns >= 3 && (await tierCount("TIER_2")) > 0 && (await tierCount("TIER_3")) > 0;
        },
        60_000,
        {
          what: "dry-run executions and Tier 2 and 3 proposals",
          describe: () => start.output.join("").slice(-1500),
        },
      );
      const waiting = await query(
        `{ allActions(condition: { executionTier: TIER_2, status: PENDING }) { totalCount nodes { statusReason } } }`,
      );
      expect(waiting.allActions?.totalCount).toBeGreaterThan(0);
      expect(await stop(start)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.getuid?.() === 0)(
    "as root under a directory others cannot enter, says what to do in one line and exits 1",
    async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), "autoexec-home-"));
      await chmod(home, 0o700); // like /root: PostgreSQL's own user cannot get in
      try {
        const start = run("start.ts", { EMBEDDED_PG_DIR: path.join(home, "pg"), PORT: "0", DEMO: "off" });
        expect(await exitCode(start)).toBe(1);
        running.splice(running.indexOf(start), 1); // failing is what it should do here
        const output = start.output.join("");
        expect(output).toContain(
          `who cannot enter ${home} (mode 700): set DATABASE_URL, run as an ordinary user`,
        );
        expect(output).not.toMatch(/EACCES|\n\s+at /);
        expect(
          output
            .trim()
            .split("\n")
            .filter((line) => line.includes('"level":60')),
        ).toHaveLength(1);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  );

  it("refuses to start with DATABASE_URL and no JWT_SECRET", async () => {
    const { JWT_SECRET: _secret, ...withoutSecret } = env;
    const start = run("start.ts", withoutSecret);
    expect(await exitCode(start)).toBe(2);
    expect(start.output.join("")).toMatch(/JWT_SECRET is required with DATABASE_URL or SERVER_DATABASE_URL/);
    const tokenCommand = run("token.ts", withoutSecret, ["--role", "admin", "--sub", "alice"]);
    expect(await exitCode(tokenCommand)).toBe(2);
  });

  it("on the embedded database: logs in as the least-privilege roles and uses a development secret", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-start-"));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as another user, which must reach pg/ inside
    const port = await freePort();
    const embedded = {
      EMBEDDED_PG_DIR: path.join(dir, "pg"),
      EMBEDDED_PG_PORT: String(port),
      PORT: "0",
      DEMO: "off",
    };
    try {
      const start = run("start.ts", embedded);
      const urls = await urlsOf(start);
      expect(start.output.join("")).toMatch(/development secret/);
      const secretFile = path.join(dir, "dev-jwt-secret");
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
      expect((await readFile(secretFile, "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);

      // npm run token signs with the same development secret.
      const viewer = await token({ EMBEDDED_PG_DIR: embedded.EMBEDDED_PG_DIR }, "viewer", "vera");
      const answer = await fetch(urls.graphql as string, {
        method: "POST",
        headers: { authorization: `Bearer ${viewer}`, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ currentSettings { enabled dryRun } }" }),
      });
      expect(await answer.json()).toEqual({ data: { currentSettings: { enabled: false, dryRun: true } } });

      const superuser = new pg.Client({
        connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/autoexec`,
      });
      await superuser.connect();
      try {
        const { rows } = await superuser.query(
          `select distinct usename::text from pg_stat_activity
           where datname = 'autoexec' and usename::text like 'autoexec\\_%' order by 1`,
        );
        expect(rows.map((row) => row.usename)).toEqual(["autoexec_server", "autoexec_worker"]);
      } finally {
        await superuser.end();
      }
      expect(await stop(start)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run server", () => {
  it("serves the API alone, and stops cleanly on SIGTERM", async () => {
    const server = run("server.ts", env);
    const urls = await urlsOf(server);
    const health = await fetch(urls.health as string);
    expect(await health.json()).toEqual({ status: "ok" });
    // No worker runs beside `npm run server` here: it is ready anyway, and says what is missing.
    const ready = await fetch(urls.health?.replace("healthz", "readyz") as string);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { workers: string } }).checks.workers).toMatch(/no worker/);
    const viewer = await token({ JWT_SECRET: TEST_JWT_SECRET }, "viewer", "vera");
    const refused = await fetch(`${urls.rest}/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewer}`, "content-type": "application/json" },
      body: JSON.stringify({ actionId: 1 }),
    });
    expect(refused.status).toBe(403);
    expect(await stop(server)).toBe(0);
  });

  it("prints its usage with --help", async () => {
    for (const script of ["server.ts", "token.ts", "start.ts"]) {
      const help = run(script, {}, ["--help"]);
      expect(await exitCode(help)).toBe(0);
      expect(help.output.join("")).toMatch(/JWT_SECRET/);
    }
  });
});

describe("a process that cannot start", () => {
  /** Exits 1 having logged one fatal JSON line, `could not start: …`, and nothing that is not JSON. */
  async function expectCouldNotStart(proc: Process, reason: RegExp): Promise<void> {
    expect(await exitCode(proc)).toBe(1);
    running.splice(running.indexOf(proc), 1); // its exit code 1 is the point, not a failure
    const fatal = proc.lines().filter((line) => line.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toMatch(/^could not start: /);
    expect(fatal[0]?.msg).toMatch(reason);
    const lines = proc.output.join("").trim().split("\n");
    expect(lines.filter((line) => !line.startsWith("{"))).toEqual([]); // no stack printed by Node
  }

  it("says why in one line and exits 1 when its database does not answer", async () => {
    const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/autoexec`;
    const unreachable = { DATABASE_URL: nowhere, JWT_SECRET: TEST_JWT_SECRET, PORT: "0" };
    for (const script of ["worker.ts", "server.ts", "start.ts"]) {
      await expectCouldNotStart(run(script, unreachable), /ECONNREFUSED/);
    }
  });

  it("says why in one line and exits 1 when its port is taken", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = String((taken.address() as net.AddressInfo).port);
      await expectCouldNotStart(run("server.ts", { ...env, PORT: port }), /EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
