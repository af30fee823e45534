import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uiRoutes } from "../src/http/ui.ts";

// The static side of the admin UI (src/http/ui.ts) on a build directory of the test's own; the UI
// itself is tested in Chromium by ui.e2e.test.ts.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-ui-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("serving the admin UI", () => {
  it("explains how to build the UI when the build is missing, on every /admin path", async () => {
    const app = uiRoutes({ dir: path.join(dir, "missing") });
    for (const url of ["/admin/", "/admin/settings", "/admin/assets/index.js"]) {
      const response = await app.request(url);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toContain("text/html");
      const page = await response.text();
      expect(page).toContain("The admin UI has not been built");
      expect(page).toContain("npm run build:web");
    }
  });

  describe("with a build", () => {
    let app: ReturnType<typeof uiRoutes>;
    beforeAll(async () => {
      const build = path.join(dir, "dist");
      await mkdir(path.join(build, "assets"), { recursive: true });
      await writeFile(path.join(build, "index.html"), "<!doctype html><title>autoexec admin</title>");
      await writeFile(path.join(build, "assets", "index-abc123.js"), "console.log('ui')");
      await writeFile(path.join(dir, "secret.txt"), "outside the build");
      app = uiRoutes({ dir: build });
    });

    it("answers every page path with the app, which routes in the browser", async () => {
      for (const url of ["/admin/", "/admin/history", "/admin/actions/42", "/admin/settings?x=1"]) {
        const response = await app.request(url);
        expect(response.status, url).toBe(200);
        expect(response.headers.get("cache-control")).toBe("no-cache");
        expect(await response.text()).toContain("<title>autoexec admin</title>");
      }
    });

    it("serves hashed assets with a long cache life, and a missing asset is a 404", async () => {
      const asset = await app.request("/admin/assets/index-abc123.js");
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toContain("javascript");
      expect(asset.headers.get("cache-control")).toContain("immutable");
      expect(await asset.text()).toBe("console.log('ui')");
      expect((await app.request("/admin/assets/nope.js")).status).toBe(404);
    });

    it("never serves a file outside the build", async () => {
      for (const url of ["/admin/assets/../../secret.txt", "/admin/assets/%2e%2e/%2e%2e/secret.txt"]) {
        const response = await app.request(url);
        expect(await response.text()).not.toContain("outside the build");
      }
    });

    it("redirects / and /admin to /admin/", async () => {
      for (const url of ["/", "/admin"]) {
        const response = await app.request(url);
        expect(response.status).toBe(302);
        expect(response.headers.get("location")).toBe("/admin/");
      }
    });
  });
});
