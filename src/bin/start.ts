import { type Database, type Stop, startOnDatabase } from "../db/database.ts";
import { loginUrl, warnIfPrivileged } from "../db/logins.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { startDemo } from "../demo/index.ts";
import { createApp } from "../http/app.ts";
import { createServerPools } from "../http/db.ts";
import { secretKey, signToken } from "../http/jwt.ts";
import { requestBudget } from "../http/request-budget.ts";
import { listen } from "../http/serve.ts";
import { recoverFromDatabaseOutages, startWorker, workerSettings } from "../worker.ts";
import { createWorkerMetrics } from "../worker-status.ts";
import { jwtSecretOrExit, runUntilSignal, startup } from "./cli.ts";

const { config, log } =
  startup(`npm start: migrate the database, then run the engine (worker and crontab) and the admin API
(GraphQL, GraphiQL, REST, admin UI, metrics and health on PORT) in this process.
Without DATABASE_URL an embedded PostgreSQL is started in EMBEDDED_PG_DIR and stopped on exit; the
worker and the API then log in as autoexec_worker and autoexec_server, and the API uses a development
JWT secret (npm run token signs with it); on first start it loads a demo site and, unless DEMO=off,
runs a simulated agent. With DATABASE_URL, JWT_SECRET is required and nothing is ever seeded.
It prints the URLs; on the embedded database, in a terminal, also an admin token.`);
const jwtSecret = await jwtSecretOrExit(config, log);
await runUntilSignal(log, "finishing in-flight requests and executions", () =>
  startOnDatabase(config, log, run),
);

/** Migrates, starts the worker, the API and (embedded only) the demo; returns how to stop them. */
async function run(database: Database): Promise<Stop> {
  const owner = createPool(database.url, log, 2);
  await migrate(owner, log);

  const pool = createPool(
    await loginUrl(config, database, "autoexec_worker", log),
    log,
    config.WORKER_CONCURRENCY + 4,
  );
  await warnIfPrivileged(pool, "worker", log);
  // One process: the worker's own metrics are served on the API's /metrics.
  const workerMetrics = createWorkerMetrics({ defaultMetrics: false });
  const worker = await startWorker({ pool, log, ...workerSettings(config), metrics: workerMetrics });
  recoverFromDatabaseOutages(worker, log);

  const pools = createServerPools(await loginUrl(config, database, "autoexec_server", log), log, {
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
  });
  await warnIfPrivileged(pools.pool, "API server", log);
  const server = await listen(
    await createApp({
      ...pools,
      jwtSecret,
      log,
      budget: requestBudget(config),
      alsoServeMetrics: [workerMetrics.registry],
    }),
    config.PORT,
    config.HOST,
    { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS },
  );

  // The demo runs on the embedded default only: with DATABASE_URL nothing is ever seeded.
  const demo =
    database.embedded && config.DEMO === "on"
      ? await startDemo(owner, config.DEMO_INTERVAL_MS, log)
      : undefined;
  if (!demo) await owner.end();
  log.info(
    {
      database: database.embedded ? "embedded" : "DATABASE_URL",
      ...server.urls,
      admin: `${server.url}/admin`,
      ...(database.embedded ? { databaseUrl: database.url } : {}),
    },
    `autoexec is running: admin UI ${server.url}/admin, GraphiQL ${server.urls.graphiql}; Ctrl-C stops it`,
  );
  await announceAdminToken(database, jwtSecret);

  return async () => {
    await demo?.stop();
    await server.close();
    await worker.stop();
    await Promise.all([
      pool.end(),
      pools.pool.end(),
      pools.executorPool.end(),
      demo ? owner.end() : undefined,
    ]);
  };
}

/**
 * A bearer token is a credential: printed only for the embedded demo and only to a person at a
 * terminal, never into the logs of a real deployment (where anyone who reads them could act as admin).
 */
async function announceAdminToken(database: Database, jwtSecret: string): Promise<void> {
  if (database.embedded && process.stdout.isTTY) {
    const adminToken = await signToken({ role: "admin", sub: "admin" }, secretKey(jwtSecret));
    log.info(
      { adminToken },
      "an admin token for the API and the admin UI (valid 12 hours; npm run token makes more)",
    );
  } else {
    log.info("make an admin token with: npm run -s token -- --role admin --sub YOUR_NAME");
  }
}
