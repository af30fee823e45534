import { describeEnv, loadConfig } from "../config.ts";
import { createPool } from "../db/pool.ts";
import { createLogger } from "../logger.ts";
import { startWorker } from "../worker.ts";

if (process.argv.includes("--help")) {
  console.log(`npm run worker: run one worker process (several may run against one database).
Requires DATABASE_URL and a migrated database (npm run migrate).

Environment:
${describeEnv()}`);
  process.exit(0);
}

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
if (!config.DATABASE_URL) {
  log.fatal("npm run worker needs DATABASE_URL; npm start runs a worker on the embedded database");
  process.exit(2);
}
const pool = createPool(config.DATABASE_URL, log, config.WORKER_CONCURRENCY + 4);
const runner = await startWorker({ pool, log, concurrency: config.WORKER_CONCURRENCY });
log.info({ concurrency: config.WORKER_CONCURRENCY }, "worker started");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight executions");
    await runner.stop();
    await pool.end();
    process.exit(0);
  });
}
await runner.promise;
