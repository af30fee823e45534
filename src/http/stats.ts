import { Hono } from "hono";
import type pg from "pg";
import type { AppEnv } from "./auth.ts";
import { asPrincipal } from "./db.ts";
import { StatsQuery } from "./schemas.ts";
import { queryParams } from "./validate.ts";

/** GET /execution/stats (PRD-18 plus the success metrics): computed by autoexec.execution_stats(). */
export function statsRoutes(deps: { pool: pg.Pool }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/execution/stats", async (c) => {
    const query = queryParams(c, StatsQuery);
    const stats = await asPrincipal(deps.pool, c.get("principal"), async (client) => {
      const { rows } = await client.query<{ stats: unknown }>(
        "select autoexec.execution_stats($1, $2, $3) as stats",
        [query.from ?? null, query.to ?? null, query.recent ?? 20],
      );
      return rows[0]?.stats;
    });
    return c.json(stats as Record<string, unknown>);
  });
  return app;
}
