import { Hono } from "hono";
import type pg from "pg";

/** GET /healthz: public; 200 when the database answers, 503 when it does not. */
export function healthRoutes(deps: { pool: pg.Pool }): Hono {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    try {
      await deps.pool.query("select 1");
      return c.json({ status: "ok", database: "ok" });
    } catch {
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });
  return app;
}
