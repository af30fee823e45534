import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlers } from "../src/handlers/index.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { insertCollection, insertMod } from "./support/fixtures.ts";
import { loginUrl } from "./support/http.ts";

// Every SQL example in docs/agent.md runs, as the agent, so the documentation cannot drift.
const doc = await readFile(path.resolve(import.meta.dirname, "../docs/agent.md"), "utf8");
const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const pythonExamples = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1] as string);
// Debian's interpreter, where python3-psycopg installs (.ci/run does); PyPI is not reachable here.
const PYTHON = "/usr/bin/python3";

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

  it("has a Python example, and it runs with psycopg as autoexec_agent: once proposes, twice finds it", async () => {
    expect(pythonExamples).toHaveLength(1);
    const dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-python-"));
    try {
      const script = path.join(dir, "propose.py");
      await writeFile(script, pythonExamples[0] as string);
      const dsn = await loginUrl(db, "autoexec_agent");
      const run = () => {
        const result = spawnSync(PYTHON, [script], {
          env: { PATH: "/usr/bin:/bin", AUTOEXEC_AGENT_DSN: dsn },
          encoding: "utf8",
          timeout: 30_000,
        });
        if (result.error) throw result.error;
        expect(result.stderr, "apt-get install python3-psycopg if psycopg is missing").toBe("");
        expect(result.status).toBe(0);
        return result.stdout;
      };
      const first = run();
      expect(first).toContain("UPDATE_META_DESCRIPTION needs ['metaDescription', 'modId']");
      const proposed = /proposed action (\d+): PENDING, Tier 1/.exec(first);
      expect(proposed, first).not.toBeNull();
      expect(run()).toContain("already proposed: nothing new was created");
      const { rows } = await db.pool.query("select type, action_data from autoexec.actions where id = $1", [
        Number(proposed?.[1]),
      ]);
      expect(handlers.get(rows[0].type)?.schema.safeParse(rows[0].action_data).success).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
