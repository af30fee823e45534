import { randomUUID } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createPool } from "../../src/db/pool.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import { withDatabase } from "./global-setup.ts";
import { heldByHooks } from "./hooks.ts";

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  log: Logger;
  drop(): Promise<void>;
}

export const testLog = createLogger(process.env.LOG_LEVEL ?? "silent");

/** A fresh database of the test file's own: migrated (cloned from the template) unless `empty`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `autoexec_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const adminUrl = inject("adminUrl");
  const template = options.empty ? "template0" : inject("templateDatabase");
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name} template ${template}`));
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, testLog, 20);
  return {
    name,
    url,
    pool,
    log: testLog,
    async drop() {
      await pool.end();
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The test file's own database, created before its tests (before each test with `each`, for files
 * whose tests must not see each other's rows) and dropped after them; `setup` runs on it once created.
 */
export function databaseForTests(
  options: { each?: boolean; setup?: (db: TestDatabase) => Promise<unknown> } = {},
): TestDatabase {
  const create = async () => {
    const db = await createTestDatabase();
    await options.setup?.(db);
    return db;
  };
  return heldByHooks("the test database", create, (db) => db.drop(), { each: options.each });
}
