import { describeEnv, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { loginUrl, warnIfPrivileged } from "../db/logins.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { createApp } from "../http/app.ts";
import { createServerPools } from "../http/db.ts";
import { resolveJwtSecret } from "../http/jwt.ts";
import { listen } from "../http/serve.ts";
import { createLogger } from "../logger.ts";
import { recoverFromDatabaseOutages, startWorker } from "../worker.ts";

if (process.argv.includes("--help")) {
  console.log(`npm start: migrate the database, then run the engine (worker and crontab) and the admin API
(GraphQL, GraphiQL, REST, health on PORT) in this process.
Without DATABASE_URL an embedded PostgreSQL is started in EMBEDDED_PG_DIR and stopped on exit; the
worker and the API then log in as autoexec_worker and autoexec_server, and the API uses a development
JWT secret (npm run token signs with it). With DATABASE_URL, JWT_SECRET is required.

Environment:
${describeEnv()}`);
  process.exit(0);
}

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
let jwtSecret: string;
try {
  jwtSecret = await resolveJwtSecret(config, log);
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(2);
}
const database = await openDatabase(config, log);
const owner = createPool(database.url, log, 2);
await migrate(owner, log).finally(() => owner.end());

const pool = createPool(
  await loginUrl(config, database, "autoexec_worker", log),
  log,
  config.WORKER_CONCURRENCY + 4,
);
await warnIfPrivileged(pool, "worker", log);
const worker = await startWorker({ pool, log, concurrency: config.WORKER_CONCURRENCY });
recoverFromDatabaseOutages(worker, log);

const pools = createServerPools(await loginUrl(config, database, "autoexec_server", log), log, {
  statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
});
await warnIfPrivileged(pools.pool, "API server", log);
const server = await listen(await createApp({ ...pools, jwtSecret, log }), config.PORT, config.HOST);
log.info(
  { database: database.embedded ? "embedded" : "DATABASE_URL", ...server.urls },
  `autoexec is running: engine and admin API on ${server.url} (GraphiQL: ${server.urls.graphiql}); Ctrl-C stops it`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight requests and executions");
    await server.close();
    await worker.stop();
    await Promise.all([pool.end(), pools.pool.end(), pools.executorPool.end()]);
    await database.stop();
    process.exit(0);
  });
}
