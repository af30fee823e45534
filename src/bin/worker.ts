import { warnIfPrivileged } from "../db/logins.ts";
import { createPool } from "../db/pool.ts";
import { recoverFromDatabaseOutages, startWorker, workerSettings } from "../worker.ts";
import { runUntilSignal, startup } from "./cli.ts";

const { config, log } =
  startup(`npm run worker: run one worker process (several may run against one database).
Requires WORKER_DATABASE_URL (a connection as autoexec_worker) or DATABASE_URL, and a migrated
database (npm run migrate).`);
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
  const worker = await startWorker({ pool, log, ...workerSettings(config) });
  recoverFromDatabaseOutages(worker, log);
  log.info({ concurrency: config.WORKER_CONCURRENCY }, "worker started");
  return async () => {
    await worker.stop();
    await pool.end();
  };
});
