import { describeEnv, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { createLogger } from "../logger.ts";
import { startWorker } from "../worker.ts";

if (process.argv.includes("--help")) {
  console.log(`npm start: migrate the database, then run the engine (worker and crontab) in this process.
Without DATABASE_URL an embedded PostgreSQL is started in EMBEDDED_PG_DIR and stopped on exit.

Environment:
${describeEnv()}`);
  process.exit(0);
}

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const database = await openDatabase(config, log);
const pool = createPool(database.url, log, config.WORKER_CONCURRENCY + 4);
await migrate(pool, log);
const runner = await startWorker({ pool, log, concurrency: config.WORKER_CONCURRENCY });
log.info(
  { database: database.embedded ? "embedded" : "DATABASE_URL" },
  "autoexec is running; Ctrl-C stops it",
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight executions");
    await runner.stop();
    await pool.end();
    await database.stop();
    process.exit(0);
  });
}
await runner.promise;
