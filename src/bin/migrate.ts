import { SetupError } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { setLoginPasswords } from "../db/logins.ts";
import { migrate, migrationStatus } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { startup } from "./cli.ts";

const { config, log, args } = startup(
  `npm run migrate [-- --status | --set-login-passwords]: apply sql/migrations, re-apply sql/functions
(dropping functions removed from it) and install graphile-worker's schema, as DATABASE_URL (the
database owner). Without DATABASE_URL it migrates the embedded development PostgreSQL in EMBEDDED_PG_DIR.

  --status                list the applied and the pending migrations; change nothing
  --set-login-passwords   after migrating, let autoexec_worker and autoexec_server log in with the
                          passwords in WORKER_DATABASE_URL and SERVER_DATABASE_URL (docker-compose.yml)`,
  { status: { type: "boolean" }, "set-login-passwords": { type: "boolean" } },
);
try {
  const database = await openDatabase(config, log, { announce: "warn" });
  const pool = createPool(database.url, log, 2);
  try {
    if (args.status) {
      const { applied, pending } = await migrationStatus(pool);
      for (const migration of applied) console.log(`applied  ${migration.name}  ${migration.appliedAt}`);
      for (const name of pending) console.log(`pending  ${name}`);
      console.log(`${applied.length} applied, ${pending.length} pending`);
    } else {
      const { applied, dropped } = await migrate(pool, log);
      log.info(
        { applied: applied.length, droppedFunctions: dropped },
        applied.length ? "database migrated" : "database already up to date",
      );
      if (args["set-login-passwords"]) await setLoginPasswords(pool, config, log);
    }
  } finally {
    await pool.end();
    await database.stop();
  }
} catch (error) {
  log.fatal(error instanceof SetupError ? {} : { err: error }, `migrate failed: ${(error as Error).message}`);
  process.exit(1);
}
