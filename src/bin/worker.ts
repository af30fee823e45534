import { warnIfPrivileged } from "../db/logins.ts";
import { createPool } from "../db/pool.ts";
import { listenHttp } from "../http/serve.ts";
import { recoverFromDatabaseOutages, startWorker, workerSettings } from "../worker.ts";
import { createWorkerMetrics, workerStatusApp } from "../worker-status.ts";
import { runUntilSignal, startup } from "./cli.ts";

const { config, log } =
  startup(`npm run worker: run one worker process (several may run against one database).
Requires WORKER_DATABASE_URL (a connection as autoexec_worker) or DATABASE_URL, and a migrated
database (npm run migrate). With WORKER_HTTP_PORT it also serves /healthz, /readyz and its own
/metrics on HOST:WORKER_HTTP_PORT.`);
const url = config.WORKER_DATABASE_URL ?? config.DATABASE_URL;
if (!url) {
  log.fatal(
    "npm run worker needs WORKER_DATABASE_URL or DATABASE_URL; npm start runs a worker on the embedded database",
  );
  process.exit(2);
}
await runUntilSignal(log, "finishing in-flight executions", async () => {
  const pool = createPool(url, log, config.WORKER_CONCURRENCY + 4);
  await warnIfPrivileged(pool, "worker", log);
  const metrics = createWorkerMetrics();
  const worker = await startWorker({ pool, log, ...workerSettings(config), metrics });
  recoverFromDatabaseOutages(worker, log);
  let running = true;
  const status =
    config.WORKER_HTTP_PORT === undefined
      ? undefined
      : await listenHttp(
          workerStatusApp({ pool, metrics, running: () => running }).fetch,
          config.WORKER_HTTP_PORT,
          config.HOST,
        );
  log.info(
    { concurrency: config.WORKER_CONCURRENCY, ...(status && { status: status.url }) },
    status ? `worker started; health and metrics on ${status.url}` : "worker started",
  );
  return async () => {
    running = false; // /readyz says so while in-flight executions finish
    await worker.stop();
    await status?.close();
    await pool.end();
  };
});
