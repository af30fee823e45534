import { describeEnv, loadConfig } from "../config.ts";
import { warnIfPrivileged } from "../db/logins.ts";
import { createPool } from "../db/pool.ts";
import { createLogger } from "../logger.ts";
import { recoverFromDatabaseOutages, startWorker } from "../worker.ts";

if (process.argv.includes("--help")) {
  console.log(`npm run worker: run one worker process (several may run against one database).
Requires WORKER_DATABASE_URL (a connection as autoexec_worker) or DATABASE_URL, and a migrated
database (npm run migrate).

Environment:
${describeEnv()}`);
  process.exit(0);
}

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const url = config.WORKER_DATABASE_URL ?? config.DATABASE_URL;
if (!url) {
  log.fatal(
    "npm run worker needs WORKER_DATABASE_URL or DATABASE_URL; npm start runs a worker on the embedded database",
  );
  process.exit(2);
}
const pool = createPool(url, log, config.WORKER_CONCURRENCY + 4);
await warnIfPrivileged(pool, "worker", log);
const worker = await startWorker({ pool, log, concurrency: config.WORKER_CONCURRENCY });
recoverFromDatabaseOutages(worker, log);
log.info({ concurrency: config.WORKER_CONCURRENCY }, "worker started");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight executions");
    await worker.stop();
    await pool.end();
    process.exit(0);
  });
}
