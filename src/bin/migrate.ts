import { openDatabase } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { startup } from "./cli.ts";

const { config, log } = startup(
  "npm run migrate: apply sql/migrations, re-apply sql/functions and install graphile-worker's schema.",
);
const database = await openDatabase(config, log);
const pool = createPool(database.url, log, 2);
try {
  const { applied } = await migrate(pool, log);
  log.info({ applied: applied.length }, applied.length ? "database migrated" : "database already up to date");
} finally {
  await pool.end();
  await database.stop();
}
