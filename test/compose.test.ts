import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { TEST_JWT_SECRET } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// No Docker engine runs on these machines, so the compose file is checked for shape and every
// command in it is run here, outside Docker, in the order compose would run them.

const ROOT = path.resolve(import.meta.dirname, "..");

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  container_name?: string;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(await readFile(path.join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

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

/** A compose service's command, with its environment but DATABASE_URL pointing at the test database. */
function runService(
  name: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: string[] } {
  const [program, ...args] = services[name]?.command ?? [];
  expect(program).toBe("node");
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      ...services[name]?.environment,
      DATABASE_URL: db.url,
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
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
    expect(Number(postgres.image?.split(":")[1])).toBeGreaterThanOrEqual(15);
    expect(postgres.volumes?.length).toBeGreaterThan(0);
    expect(postgres.healthcheck?.test.join(" ")).toMatch(/pg_isready/);
    expect(services.migrate?.depends_on?.postgres?.condition).toBe("service_healthy");
    for (const name of ["worker", "server"]) {
      expect(services[name]?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
    }
  });

  it("configures the app services through environment variables only, and the worker can scale", () => {
    for (const name of ["migrate", "worker", "server"]) {
      const service = services[name] as Service;
      expect(service.build).toBe(".");
      expect(service.volumes).toBeUndefined();
      expect(service.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      const script = service.command?.[1] as string;
      expect(existsSync(path.join(ROOT, script))).toBe(true);
    }
    // --scale worker=N needs no fixed name and no host port.
    expect(services.worker?.container_name).toBeUndefined();
    expect(services.worker?.ports).toBeUndefined();
  });

  it("runs here outside Docker: migrate once, then a worker and the server, ready together", async () => {
    const migrate = runService("migrate");
    const [code] = await once(migrate.child, "exit");
    expect(code, migrate.output.join("")).toBe(0);

    runService("worker");
    // PORT 0 instead of the compose file's 3000, which may be taken on this machine.
    const server = runService("server", {
      PORT: "0",
      HOST: "127.0.0.1",
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "info",
    });
    let url: string | undefined;
    await waitFor(
      () => {
        url = server.output.join("").match(/"health":"(http:\/\/[^"]+)\/healthz"/)?.[1];
        return url !== undefined;
      },
      30_000,
      { what: "the server to listen", describe: () => server.output.join("").slice(-1000) },
    );
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 30_000, {
      what: "readyz (migrations applied, a worker running)",
    });
  });
});

describe("Dockerfile", () => {
  it("copies what the services run", async () => {
    const dockerfile = await readFile(path.join(ROOT, "Dockerfile"), "utf8");
    for (const needed of ["src", "sql", "web/dist", "package-lock.json"])
      expect(dockerfile).toContain(needed);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/USER node/);
  });
});
