/** A fresh database on DATABASE_URL's server, or an embedded server in a temporary directory. */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/db/embedded.ts";
import type { Logger } from "../../src/logger.ts";

export interface BenchDatabase {
  /** The owner's (superuser's) connection to the benchmark's database. */
  url: string;
  name: string;
  embedded: boolean;
  where: string;
  cleanup(): Promise<void>;
}

function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function openBenchDatabase(
  databaseUrl: string | undefined,
  log: Logger,
  serverSettings: Record<string, string>,
): Promise<BenchDatabase> {
  const name = `autoexec_bench_${randomBytes(5).toString("hex")}`;
  if (databaseUrl) {
    await adminQuery(databaseUrl, `create database ${name}`);
    return {
      url: withDatabaseName(databaseUrl, name),
      name,
      embedded: false,
      where: `DATABASE_URL server (${new URL(databaseUrl).host}), database ${name}`,
      cleanup: () => adminQuery(databaseUrl, `drop database if exists ${name} with (force)`),
    };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "autoexec-bench-pg-"));
  try {
    // Default server settings on purpose: fsync and synchronous_commit stay on, as in production.
    const server = await startEmbeddedPostgres({ dataDir, log, serverSettings });
    await adminQuery(server.url, `create database ${name}`);
    return {
      url: withDatabaseName(server.url, name),
      name,
      embedded: true,
      where: `embedded PostgreSQL in ${dataDir} (TCP 127.0.0.1:${server.port}), database ${name}`,
      cleanup: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The worker's login, as `npm start` and `npm run worker` use it: autoexec_worker (no superuser, row-level
 * security applies). On the embedded server the role gets a random password, as src/db/logins.ts does;
 * on a DATABASE_URL server (where roles are shared by every database, so the benchmark changes none)
 * WORKER_DATABASE_URL's login is used when set, else DATABASE_URL's own.
 * Call after migrating: the migrations create the role.
 */
export async function workerLogin(
  database: BenchDatabase,
  workerDatabaseUrl: string | undefined,
): Promise<{ url: string; description: string }> {
  let url = database.url;
  if (database.embedded) {
    const password = randomBytes(24).toString("hex");
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`alter role autoexec_worker with login password ${admin.escapeLiteral(password)}`);
    } finally {
      await admin.end();
    }
    const parsed = new URL(database.url);
    parsed.username = "autoexec_worker";
    parsed.password = password;
    url = parsed.toString();
  } else if (workerDatabaseUrl) {
    url = withDatabaseName(workerDatabaseUrl, database.name);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; privileged: boolean }>(
      `select rolname as name, rolsuper or rolbypassrls as privileged from pg_roles where rolname = session_user`,
    );
    const login = rows[0];
    return {
      url,
      description: `${login?.name}${login?.privileged ? " (superuser or bypassrls: row-level security skipped)" : " (no superuser; row-level security applies)"}`,
    };
  } finally {
    await client.end();
  }
}
