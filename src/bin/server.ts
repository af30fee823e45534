import { startOnDatabase } from "../db/database.ts";
import { loginUrl, warnIfPrivileged } from "../db/logins.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { createApp } from "../http/app.ts";
import { createServerPools } from "../http/db.ts";
import { requestBudget } from "../http/request-budget.ts";
import { listen } from "../http/serve.ts";
import { jwtSecretOrExit, runUntilSignal, startup } from "./cli.ts";

const { config, log } =
  startup(`npm run server: run the admin API alone (GraphQL, GraphiQL, REST, UI, metrics, health) on PORT.
With SERVER_DATABASE_URL (the autoexec_server login) or DATABASE_URL the database must be migrated
(npm run migrate) and JWT_SECRET set. Without either it says so, starts the embedded development
PostgreSQL, migrates it and uses a development JWT secret (npm run token signs with it).`);
const jwtSecret = await jwtSecretOrExit(config, log);
await runUntilSignal(log, "the admin API", () =>
  startOnDatabase(
    config,
    log,
    async (database) => {
      if (database.embedded) {
        const owner = createPool(database.url, log, 2);
        await migrate(owner, log).finally(() => owner.end());
      }
      const pools = createServerPools(await loginUrl(config, database, "autoexec_server", log), log, {
        statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
      });
      await warnIfPrivileged(pools.pool, "API server", log);
      const server = await listen(
        await createApp({ ...pools, jwtSecret, log, budget: requestBudget(config) }),
        config.PORT,
        config.HOST,
        { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS },
      );
      log.info(server.urls, `admin API listening on ${server.url}; Ctrl-C stops it`);
      return async () => {
        await server.close();
        await pools.pool.end();
        await pools.executorPool.end();
      };
    },
    { url: config.SERVER_DATABASE_URL ?? config.DATABASE_URL, announce: "warn" },
  ),
);
