import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { LOGIN_PASSWORD, TEST_JWT_SECRET } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// No Docker engine runs on these machines, so the compose file is checked for shape and every
// command in it is run here, outside Docker, in the order compose would run them.

const ROOT = path.resolve(import.meta.dirname, "..");

interface Service {
  image?: string;
  build?: string;
  read_only?: boolean;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  container_name?: string;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}

const composeText = await readFile(path.join(ROOT, "docker-compose.yml"), "utf8");
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/**
 * Compose's own interpolation, as far as this file uses it: `${NAME:?message}` fails without NAME,
 * `${NAME:-default}` falls back. (No Docker engine runs here, so `docker compose config` cannot.)
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::([?-])([^}]*))?\}/g,
    (_all, name: string, kind?: string, rest?: string) => {
      const set = env[name];
      if (set) return set;
      if (kind === "?") throw new Error(`required variable ${name} is missing a value: ${rest}`);
      return kind === "-" ? (rest ?? "") : "";
    },
  );
}

/** The test database's URL with another login (the role the compose file connects as). */
function asLogin(role: string, password: string): string {
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  return url.toString();
}

const SECRETS = ["POSTGRES_PASSWORD", "AUTOEXEC_WORKER_PASSWORD", "AUTOEXEC_SERVER_PASSWORD", "JWT_SECRET"];

let db: TestDatabase;
const children: ChildProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  await db.drop();
});

/**
 * A compose service's command with its environment, interpolated with `secrets` and with the host
 * `postgres:5432/autoexec` replaced by the test database's (same login and password).
 */
function runService(
  name: string,
  secrets: Record<string, string>,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: string[] } {
  const [program, ...args] = services[name]?.command ?? [];
  expect(program).toBe("node");
  const test = new URL(db.url);
  const environment = Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(value, secrets).replace("@postgres:5432/autoexec", `@${test.host}${test.pathname}`),
    ]),
  );
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...environment, LOG_LEVEL: "info", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  children.push(child);
  return { child, output };
}

describe("docker-compose.yml", () => {
  it("has PostgreSQL with a volume and a healthcheck, a one-shot migration, workers and the server", () => {
    expect(Object.keys(services).sort()).toEqual(["migrate", "postgres", "server", "worker"]);
    const postgres = services.postgres as Service;
    expect(Number(postgres.image?.split(":")[1]?.split(".")[0])).toBeGreaterThanOrEqual(15);
    expect(postgres.volumes?.length).toBeGreaterThan(0);
    expect(postgres.healthcheck?.test?.join(" ")).toMatch(/pg_isready/);
    expect(services.migrate?.depends_on?.postgres?.condition).toBe("service_healthy");
    for (const name of ["worker", "server"]) {
      expect(services[name]?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
    }
  });

  it("writes down no secret: each one is required from the environment, with a message saying what it is", () => {
    expect(composeText).not.toMatch(/change-me|autoexec:autoexec@|PASSWORD: autoexec/);
    for (const secret of SECRETS) {
      expect(composeText).toMatch(new RegExp(`\\$\\{${secret}:\\?set ${secret} \\(`));
    }
    // Without the secrets, interpolating any app service fails naming the first one missing.
    for (const name of ["migrate", "worker", "server"]) {
      const values = Object.values(services[name]?.environment ?? {});
      expect(() => values.map((value) => interpolate(value, {}))).toThrow(/required variable \w+ is missing/);
    }
    const jwt = services.server?.environment?.JWT_SECRET as string;
    expect(() => interpolate(jwt, {})).toThrow(
      /JWT_SECRET is missing a value: set JWT_SECRET \(32\+ characters/,
    );
  });

  it("publishes the API on 127.0.0.1 only, unless told otherwise; the worker publishes nothing", () => {
    const ports = services.server?.ports ?? [];
    expect(ports.map((port) => interpolate(port, {}))).toEqual(["127.0.0.1:3000:3000"]);
    expect(ports.map((port) => interpolate(port, { AUTOEXEC_PUBLISH_ADDRESS: "0.0.0.0" }))).toEqual([
      "0.0.0.0:3000:3000",
    ]);
    // --scale worker=N needs no fixed name and no host port.
    expect(services.worker?.container_name).toBeUndefined();
    expect(services.worker?.ports).toBeUndefined();
  });

  it("migrates as the owner and runs the worker and the server as their least-privilege logins", () => {
    const user = (name: string, key: string) =>
      new URL(
        interpolate(services[name]?.environment?.[key] as string, {
          ...Object.fromEntries(SECRETS.map((s) => [s, "x"])),
        }),
      ).username;
    expect(user("migrate", "DATABASE_URL")).toBe("autoexec");
    expect(user("worker", "WORKER_DATABASE_URL")).toBe("autoexec_worker");
    expect(user("server", "SERVER_DATABASE_URL")).toBe("autoexec_server");
    expect(services.worker?.environment?.DATABASE_URL).toBeUndefined();
    expect(services.server?.environment?.DATABASE_URL).toBeUndefined();
  });

  it("gives every long-running service a healthcheck, pins every image and builds the app services", async () => {
    for (const name of ["postgres", "worker", "server"]) {
      expect(services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    expect(services.migrate?.healthcheck?.disable).toBe(true); // a one-shot job: completion is its check
    expect(services.postgres?.image).toMatch(/^postgres:\d+\.\d+(-\w+)?$/);
    const dockerfile = await readFile(path.join(ROOT, "Dockerfile"), "utf8");
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    const { devDependencies } = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
    for (const base of bases) expect(base).toBe(`node:${devDependencies.node}-bookworm-slim`);
    for (const name of ["migrate", "worker", "server"]) {
      const service = services[name] as Service;
      expect(service.build).toBe(".");
      expect(service.read_only).toBe(true);
      expect(service.volumes).toBeUndefined();
      const script = service.command?.[1] as string;
      expect(existsSync(path.join(ROOT, script))).toBe(true);
    }
  });

  it("runs here outside Docker: migrate once, then a worker and the server as their own logins, ready together", async () => {
    const secrets = {
      // The migration below connects with the test database's own URL; this only has to be set.
      POSTGRES_PASSWORD: new URL(db.url).password || "unused-the-server-trusts-local-logins",
      // Roles are cluster-wide and other test files log in as them at the same time: the same
      // password they use, so setting it changes nothing for them.
      AUTOEXEC_WORKER_PASSWORD: LOGIN_PASSWORD,
      AUTOEXEC_SERVER_PASSWORD: LOGIN_PASSWORD,
      JWT_SECRET: TEST_JWT_SECRET,
    };
    // The owner of the test database is the cluster's superuser, not the image's `autoexec`.
    const owner = new URL(db.url).username;
    const migrate = runService("migrate", secrets, {
      DATABASE_URL: db.url,
      WORKER_DATABASE_URL: asLogin("autoexec_worker", secrets.AUTOEXEC_WORKER_PASSWORD),
      SERVER_DATABASE_URL: asLogin("autoexec_server", secrets.AUTOEXEC_SERVER_PASSWORD),
    });
    const [code] = await once(migrate.child, "exit");
    expect(code, migrate.output.join("")).toBe(0);
    expect(owner).not.toBe("autoexec_worker");

    // Ports 0 instead of the compose file's, which may be taken on this machine.
    const worker = runService("worker", secrets, { WORKER_HTTP_PORT: "0", HOST: "127.0.0.1" });
    const server = runService("server", secrets, { PORT: "0", HOST: "127.0.0.1" });
    const printed = (proc: { output: string[] }, pattern: RegExp, what: string) => {
      let found: string | undefined;
      return waitFor(
        () => {
          found = proc.output.join("").match(pattern)?.[1];
          return found !== undefined;
        },
        30_000,
        { what, describe: () => proc.output.join("").slice(-1500) },
      ).then(() => found as string);
    };
    const url = await printed(server, /"health":"(http:\/\/[^"]+)\/healthz"/, "the server to listen");
    const workerUrl = await printed(worker, /"status":"(http:\/\/[^"]+)"/, "the worker's status port");
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 30_000, {
      what: "the server's readyz",
    });
    expect((await fetch(`${workerUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    expect(metrics).toContain("# TYPE autoexec_worker_jobs_total counter");

    const { rows } = await db.pool.query<{ usename: string }>(
      "select distinct usename::text from pg_stat_activity where datname = current_database() and usename::text like 'autoexec\\_%' order by 1",
    );
    expect(rows.map((row) => row.usename)).toEqual(["autoexec_server", "autoexec_worker"]);
    const all = `${worker.output.join("")}${server.output.join("")}`;
    expect(all).not.toMatch(/superuser|is not set: connecting with DATABASE_URL/);
  });
});

describe("Dockerfile and .dockerignore", () => {
  it("copies what the services run, as an unprivileged user, without dev or embedded-only packages", async () => {
    const dockerfile = await readFile(path.join(ROOT, "Dockerfile"), "utf8");
    for (const needed of ["src", "sql", "web/dist", "package-lock.json"])
      expect(dockerfile).toContain(needed);
    expect(dockerfile).toMatch(/npm ci --omit=dev --omit=optional/);
    expect(dockerfile).toMatch(/USER node/);
  });

  it("keeps .git, the embedded cluster, secrets and node_modules out of the build context", async () => {
    const ignore = (await readFile(path.join(ROOT, ".dockerignore"), "utf8"))
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    // Allow-list: everything is ignored, then only what the Dockerfile copies is let back in.
    expect(ignore[0]).toBe("*");
    const allowed = ignore
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1).replace(/\/$/, ""));
    expect(allowed.sort()).toEqual([".npmrc", "package-lock.json", "package.json", "sql", "src", "web"]);
    expect(ignore).toContain("web/dist/");
  });
});
