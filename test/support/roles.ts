import type pg from "pg";
import { withTransaction } from "../../src/db/pool.ts";

export type AppRole = "autoexec_agent" | "autoexec_admin" | "autoexec_viewer" | "autoexec_auditor";

/**
 * Runs `work` in one transaction as a database role, signed in to the API as `sub` (the API sets the
 * same two settings), and commits; an error rolls back and is rethrown.
 */
export function asRole<T>(
  pool: pg.Pool,
  role: AppRole,
  sub: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return signedIn(pool, sub, work, role);
}

/** Like asRole, but keeps the connection's own role (the test's superuser login). */
export function signedIn<T>(
  pool: pg.Pool,
  sub: string,
  work: (client: pg.PoolClient) => Promise<T>,
  role?: AppRole,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    if (role) await client.query(`set local role ${role}`);
    await client.query("select set_config('jwt.claims.sub', $1, true)", [sub]);
    return work(client);
  });
}
