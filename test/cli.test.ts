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
