import { Hono } from "hono";
import type pg from "pg";
import { expectedMigrations } from "../db/migrate.ts";
import { readSnapshot } from "./metrics.ts";

/**
 * GET /healthz: the process is alive (public; never touches the database).
 * GET /readyz: ready to serve (public): the database answers and every migration this code expects
 * is applied. 503 with the failing checks. Whether workers run is not this server's readiness: with
 * the workers down the admin UI is needed most, so that is reported (as information here, as
 * `autoexec_workers` on /metrics, where the rules in deploy/ alert on it) but never makes it unready.
 */
export function healthRoutes(deps: { pool: pg.Pool }): Hono {
  const app = new Hono();
  const expected = expectedMigrations();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    let snapshot: Awaited<ReturnType<typeof readSnapshot>>;
    try {
      snapshot = await readSnapshot(deps.pool);
    } catch {
      return c.json({ status: "unavailable", checks: { database: "unreachable" } }, 503);
    }
    const pending = (await expected).filter((name) => !snapshot.migrations.includes(name));
    const checks = {
      database: "ok",
      migrations: pending.length ? `pending: ${pending.join(", ")}` : "ok",
      workers:
        snapshot.workers > 0 ? `${snapshot.workers} running` : "no worker has reported in the last 30 s",
    };
    const ready = !pending.length;
    return c.json({ status: ready ? "ready" : "unavailable", checks }, ready ? 200 : 503);
  });
  return app;
}
