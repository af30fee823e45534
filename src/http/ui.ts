import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

export const UI_PATH = "/admin";

/** Where `npm run build:web` (and `npm install`'s prepare step) puts the admin UI. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

/**
 * The admin web UI (web/, React built by Vite) at /admin: hashed assets with a long cache life,
 * index.html for every other /admin path (the UI routes in the browser). The page holds no data: it
 * calls /graphql and /api with the token the admin pastes. When the build is missing, /admin says how
 * to build it instead of failing obscurely. `GET /` leads to the UI.
 */
export function uiRoutes(options: { dir?: string } = {}): Hono {
  const dir = path.resolve(options.dir ?? DEFAULT_UI_DIR);
  const index = path.join(dir, "index.html");
  const app = new Hono();

  app.get("/", (c) => c.redirect(`${UI_PATH}/`));
  app.get(UI_PATH, (c) => c.redirect(`${UI_PATH}/`));

  app.use(`${UI_PATH}/*`, async (c, next) => {
    if (!existsSync(index)) return c.html(missingBuildPage(dir), 503);
    await next();
  });
  app.use(`${UI_PATH}/assets/*`, async (c, next) => {
    await next();
    // File names carry a content hash: a changed file gets a new name.
    if (c.res.status === 200) c.res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
  });
  app.use(
    `${UI_PATH}/assets/*`,
    // No `root`: serveStatic would complain at start-up when the build is missing. The request path was
    // checked for `..` and the like before this rewrite.
    serveStatic({ rewriteRequestPath: (requestPath) => path.join(dir, requestPath.slice(UI_PATH.length)) }),
  );
  // An asset that does not exist is a 404, not the app's page.
  app.get(`${UI_PATH}/assets/*`, (c) => c.text("not found", 404));
  app.use(`${UI_PATH}/*`, async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("text/html"))
      c.res.headers.set("Cache-Control", "no-cache");
  });
  app.get(`${UI_PATH}/*`, serveStatic({ path: index }));
  return app;
}

function missingBuildPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoexec admin: not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#111827;line-height:1.5}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>The admin UI has not been built</h1>
<p>This server serves the admin web UI from <code>${escapeHtml(dir)}</code>, and there is no
<code>index.html</code> there.</p>
<p>Build it with <code>npm run build:web</code> (<code>npm install</code> and <code>npm ci</code> also build it),
then reload this page. The API itself (<code>/graphql</code>, <code>/api/monetization</code>) works without it.</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
