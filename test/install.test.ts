import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What a person sees on the first `npm install`, run by the machine's own Node (older than the
// project's on these machines: Node 20), on a copy of the manifest, the lockfile and .npmrc.
const ROOT = path.resolve(import.meta.dirname, "..");
const NPM_CLI = "/usr/lib/node_modules/npm/bin/npm-cli.js";
const SYSTEM_NODE = "/usr/bin/node";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-install-"));
  for (const file of ["package.json", "package-lock.json", ".npmrc"]) {
    await cp(path.join(ROOT, file), path.join(dir, file));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function npmInstall() {
  const result = spawnSync(
    SYSTEM_NODE,
    [NPM_CLI, "install", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"],
    {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: dir },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.runIf(existsSync(NPM_CLI) && existsSync(SYSTEM_NODE))(
  "npm install on the machine's own Node",
  () => {
    it("prints no EBADENGINE warning about packages that run on the project's Node 24", () => {
      const { status, output } = npmInstall();
      expect(status, output).toBe(0);
      expect(output).not.toMatch(/EBADENGINE|npm warn/);
    });

    it("still shows a real error", async () => {
      const manifest = path.join(dir, "package.json");
      const original = await readFile(manifest, "utf8");
      await writeFile(manifest, original.replace('"name"', '"name": }'));
      try {
        const { status, output } = npmInstall();
        expect(status).not.toBe(0);
        expect(output).toMatch(/npm error code EJSONPARSE/);
      } finally {
        await writeFile(manifest, original);
      }
    });
  },
);
