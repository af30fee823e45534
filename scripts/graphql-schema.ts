// npm run schema:graphql: migrates the database (as `npm run migrate` does: DATABASE_URL, else the
// embedded development PostgreSQL), builds the GraphQL schema as the server does and writes
// web/schema.graphql and web/src/graphql-env.d.ts (see graphql-schema-files.ts).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { startup } from "../src/bin/cli.ts";
import { openDatabase } from "../src/db/database.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool } from "../src/db/pool.ts";
import { graphqlSchemaFiles, SCHEMA_FILES } from "./graphql-schema-files.ts";

const { config, log } = startup(
  `npm run schema:graphql: migrate the database, then write the GraphQL schema the server builds to
${SCHEMA_FILES.sdl} and ${SCHEMA_FILES.introspection} (the admin UI's documents are type-checked against it).`,
);
const database = await openDatabase(config, log, { announce: "warn" });
const pool = createPool(database.url, log, 2);
try {
  await migrate(pool, log);
  const files = await graphqlSchemaFiles(pool, log);
  const root = path.resolve(import.meta.dirname, "..");
  for (const key of ["sdl", "introspection"] as const) {
    await writeFile(path.join(root, SCHEMA_FILES[key]), files[key]);
    console.log(`wrote ${SCHEMA_FILES[key]}`);
  }
} finally {
  await pool.end();
  await database.stop();
}
