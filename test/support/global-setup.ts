import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../src/db/embedded.ts";
import { migrate } from "../../src/db/migrate.ts";
import { createPool } from "../../src/db/pool.ts";
import { createLogger } from "../../src/logger.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser connection to the server the tests run on (database `postgres`). */
    adminUrl: string;
    /** A migrated database that each test file clones. */
    templateDatabase: string;
  }
}

/**
 * With DATABASE_URL (a superuser connection) the tests run on that server; without it they start an
 * embedded PostgreSQL in a temporary directory, as a user's fresh machine would.
 */
export default async function setup(project: TestProject) {
  const log = createLogger(process.env.LOG_LEVEL ?? "warn");
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-test-pg-"));
    embedded = await startEmbeddedPostgres({
      dataDir,
      log,
      // Durability is irrelevant for a throwaway test cluster; speed is not.
      serverSettings: {
        fsync: "off",
        synchronous_commit: "off",
        full_page_writes: "off",
        max_connections: "400",
      },
    });
    adminUrl = embedded.url;
  }
  const templateDatabase = `autoexec_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>("show server_version");
  console.log(
    `tests run on PostgreSQL ${rows[0]?.server_version} (${embedded ? "embedded" : "DATABASE_URL"})`,
  );
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.query(`create database ${templateDatabase}`);
  const pool = createPool(withDatabase(adminUrl, templateDatabase), log, 2);
  await migrate(pool, log);
  await pool.end();

  project.provide("adminUrl", adminUrl);
  project.provide("templateDatabase", templateDatabase);

  return async () => {
    await admin.query(`drop database if exists ${templateDatabase} with (force)`);
    await admin.end();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
