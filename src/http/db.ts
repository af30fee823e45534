import type pg from "pg";
import { createPool, withTransaction } from "../db/pool.ts";
import type { Logger } from "../logger.ts";
import type { Principal } from "./jwt.ts";

export interface ServerPools {
  /** As autoexec_server: GraphQL and REST reads, each request in a transaction as the JWT's role. */
  pool: pg.Pool;
  /** As autoexec_server with role autoexec_executor: the REST execute and rollback routes (admins only). */
  executorPool: pg.Pool;
}

/** The server's two pools on one login (autoexec_server), both with the API's statement timeout. */
export function createServerPools(
  connectionString: string,
  log: Logger,
  options: { statementTimeoutMs: number; max?: number },
): ServerPools {
  const statement_timeout = String(options.statementTimeoutMs);
  return {
    pool: createPool(connectionString, log, options.max ?? 10, {
      applicationName: "autoexec-api",
      settings: { statement_timeout },
    }),
    executorPool: createPool(connectionString, log, Math.max(2, Math.ceil((options.max ?? 10) / 2)), {
      applicationName: "autoexec-api-executor",
      settings: { role: "autoexec_executor", statement_timeout },
    }),
  };
}

/** The settings a request runs with: the Postgres role of the JWT's role, and the actor. */
export function pgSettingsFor(principal: Principal): Record<string, string> {
  return {
    role: `autoexec_${principal.role}`,
    "jwt.claims.sub": principal.sub,
    "jwt.claims.role": principal.role,
  };
}

/** Runs `work` in one transaction as the principal's database role (what GraphQL does via pgSettings). */
export function asPrincipal<T>(
  pool: pg.Pool,
  principal: Principal,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query("select set_config(key, value, true) from json_each_text($1::json)", [
      JSON.stringify(pgSettingsFor(principal)),
    ]);
    return work(client);
  });
}
