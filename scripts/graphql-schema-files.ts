import "../src/http/graphile-env.ts";
import { minifyIntrospection, outputIntrospectionFile } from "@gql.tada/internal";
import type pg from "pg";
import { postgraphile } from "postgraphile";
import { introspectionFromSchema, lexicographicSortSchema, printSchema } from "postgraphile/graphql";
import { handlers } from "../src/handlers/index.ts";
import { graphqlPreset } from "../src/http/graphql.ts";
import type { Logger } from "../src/logger.ts";

// The schema the server builds, written into the repository for the admin UI: web/schema.graphql for a
// person to read, and web/src/graphql-env.d.ts, the same schema as a type, from which gql.tada infers
// the type of every document the UI sends (a renamed field fails `npm run type-check`).
// `npm run schema:graphql` writes both; test/graphql-schema.test.ts fails when they are out of date.

export const SCHEMA_FILES = {
  sdl: "web/schema.graphql",
  introspection: "web/src/graphql-env.d.ts",
} as const;

export type SchemaFiles = Record<keyof typeof SCHEMA_FILES, string>;

/** The contents of both files, built by PostGraphile from the migrated database behind `pool`. */
export async function graphqlSchemaFiles(pool: pg.Pool, log: Logger): Promise<SchemaFiles> {
  const pgl = postgraphile(graphqlPreset({ pool, log, preview: { pool, handlers } }));
  try {
    // Sorted, so the files do not change with the order the database lists its objects in.
    const schema = lexicographicSortSchema(await pgl.getSchema());
    return {
      sdl: `${printSchema(schema)}\n`,
      introspection: outputIntrospectionFile(minifyIntrospection(introspectionFromSchema(schema)), {
        fileType: ".d.ts",
        shouldPreprocess: true,
        preamble: "// Written by `npm run schema:graphql` from the schema the server builds: do not edit.\n",
      }),
    };
  } finally {
    await pgl.release();
  }
}
