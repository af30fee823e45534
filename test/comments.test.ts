import { describe, expect, it } from "vitest";
import { databaseForTests } from "./support/db.ts";

// `\d+` and the GraphQL docs explain the schema only if every table, view and column says what it
// is. This covers every relation of the project's schemas, including ones added later.
const SCHEMAS = ["autoexec", "autoexec_private", "content"];

const db = databaseForTests();

describe("COMMENT ON", () => {
  it("every table and view of the project's schemas has a comment", async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select c.oid::regclass::text as name from pg_class c
       where c.relnamespace::regnamespace::text = any($1) and c.relkind in ('r', 'p', 'v', 'm')
         and coalesce(obj_description(c.oid, 'pg_class'), '') = ''
       order by 1`,
      [SCHEMAS],
    );
    expect(rows.map((row) => row.name)).toEqual([]);
  });

  it("every column of those tables and views has a comment", async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select c.oid::regclass::text || '.' || a.attname as name
       from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where c.relnamespace::regnamespace::text = any($1) and c.relkind in ('r', 'p', 'v', 'm')
         and coalesce(col_description(c.oid, a.attnum), '') = ''
       order by 1`,
      [SCHEMAS],
    );
    expect(rows.map((row) => row.name)).toEqual([]);
  });
});
