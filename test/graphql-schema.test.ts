import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphqlSchemaFiles, SCHEMA_FILES } from "../scripts/graphql-schema-files.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { loginUrl } from "./support/http.ts";

// The admin UI's documents are type-checked against the committed schema files: they must be what
// the server builds from the migrated database, or a changed field would pass the type-check.
let db: TestDatabase;
let serverPool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  // As the server logs in: the schema it serves is built from what this role sees.
  serverPool = new pg.Pool({ connectionString: await loginUrl(db, "autoexec_server"), max: 2 });
});
afterAll(async () => {
  await serverPool?.end();
  await db?.drop();
});

it("the committed schema files are what the server builds (else: npm run schema:graphql)", async () => {
  const built = await graphqlSchemaFiles(serverPool, db.log);
  const root = path.resolve(import.meta.dirname, "..");
  for (const key of ["sdl", "introspection"] as const) {
    const committed = await readFile(path.join(root, SCHEMA_FILES[key]), "utf8");
    expect(committed, `${SCHEMA_FILES[key]} is out of date: run npm run schema:graphql`).toBe(built[key]);
  }
});
