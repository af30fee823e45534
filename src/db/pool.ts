import pg from "pg";
import type { Logger } from "../logger.ts";

// bigint ids and counts arrive as strings by default; every id in this schema fits in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// numeric (confidence, revenue impact) as a number: they are small and used in comparisons only.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export interface PoolOptions {
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Server settings for every connection, e.g. `{ role: "autoexec_executor", statement_timeout: "15000" }`. */
  settings?: Record<string, string>;
}

export function createPool(
  connectionString: string,
  log: Logger,
  max = 10,
  options: PoolOptions = {},
): pg.Pool {
  const settings = Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`);
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: options.applicationName ?? "autoexec",
    ...(settings.length ? { options: settings.join(" ") } : {}),
  });
  // An idle client that loses its connection (database restart) must not crash the process.
  pool.on("error", (error) => log.warn({ err: error }, "idle database connection lost"));
  pool.on("connect", (client) => {
    client.on("error", (error) => log.warn({ err: error }, "database connection lost"));
  });
  return pool;
}

/** Runs `work` in one transaction on `client`: commits when it returns, rolls back when it throws. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const result = await work();
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  }
}

/** Runs `work` in one transaction on a client of `pool` (inTransaction), then releases the client. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}
