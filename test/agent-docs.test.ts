import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlers } from "../src/handlers/index.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { insertCollection, insertMod } from "./support/fixtures.ts";

// Every SQL example in docs/agent.md runs, as the agent, so the documentation cannot drift.
const doc = await readFile(path.resolve(import.meta.dirname, "../docs/agent.md"), "utf8");
const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1] as string);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (let i = 0; i < 3; i++) await insertMod(db.pool);
  await insertCollection(db.pool);
});
afterAll(() => db.drop());

describe("docs/agent.md", () => {
  it("has an example for every action type", async () => {
    const { rows } = await db.pool.query<{ type: string }>("select type from autoexec.action_types");
    for (const { type } of rows) expect(examples.some((sql) => sql.includes(`'${type}'`))).toBe(true);
  });

  it.each(examples.map((sql, index) => [index + 1, sql]))(
    "example %i runs as autoexec_agent",
    async (_n, sql) => {
      const client = await db.pool.connect();
      try {
        await client.query("begin");
        await client.query("set local role autoexec_agent");
        await client.query(sql as string);
        // The documented action_data must also satisfy its handler's schema.
        const { rows } = await client.query("select type, action_data from autoexec.actions");
        for (const row of rows) {
          const handler = handlers.get(row.type);
          if (handler) expect(handler.schema.safeParse(row.action_data).error).toBeUndefined();
        }
      } finally {
        await client.query("rollback");
        client.release();
      }
    },
  );
});
