import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { loginUrl } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// The statement docs/agent.md gives the agent for a repeated idempotency_key, run as the agent's own
// login on real connections, the way a fleet of agent workers would send it.
const doc = await readFile(path.resolve(import.meta.dirname, "../docs/agent.md"), "utf8");
const section = doc.split(/^## /m).find((part) => part.startsWith("Idempotency")) ?? "";
const documented = /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
const documentedKey = /'(run-[^']*)'/.exec(documented)?.[1] ?? "";

/** The documented statement with a key of the test's own. */
function statementFor(key: string): string {
  return documented.replaceAll(`'${documentedKey}'`, `'${key}'`);
}

let db: TestDatabase;
let agentUrl: string;
beforeAll(async () => {
  db = await createTestDatabase();
  agentUrl = await loginUrl(db, "autoexec_agent");
});
afterAll(() => db?.drop());

async function agentClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: agentUrl });
  await client.connect();
  return client;
}

async function rowsWithKey(key: string): Promise<{ id: number }[]> {
  const { rows } = await db.pool.query<{ id: number }>(
    "select id from autoexec.actions where idempotency_key = $1 order by id",
    [key],
  );
  return rows;
}

describe("the documented idempotent proposal (docs/agent.md, Idempotency)", () => {
  it("is in the document, with a key to repeat", () => {
    expect(documented).toMatch(/idempotency_key/);
    expect(documentedKey).not.toBe("");
  });

  it("returns the one row to each of 50 agents sending the same key at the same moment", async () => {
    const key = `parallel-${randomUUID()}`;
    const clients = await Promise.all(Array.from({ length: 50 }, agentClient));
    try {
      const answers = await Promise.all(clients.map((client) => client.query(statementFor(key))));
      const stored = await rowsWithKey(key);
      expect(stored).toHaveLength(1);
      const id = stored[0]?.id;
      // Every caller, whether its insert won or lost the race, gets exactly that row back.
      expect(answers.map((answer) => answer.rows.map((row) => row.id))).toEqual(answers.map(() => [id]));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  /** Starts the documented statement while `holder` has an uncommitted insert of `key`; waits until it blocks. */
  async function startBehind(holder: pg.Client, key: string) {
    await holder.query("begin");
    const { rows } = await holder.query<{ id: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, idempotency_key)
       values ('ADD_TO_COLLECTION', '{"modId": 1, "collectionId": 1}', 0.9, 0.5, $1) returning id`,
      [key],
    );
    const caller = await agentClient();
    const pid = (await caller.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid;
    const answer = caller.query(statementFor(key));
    await waitFor(
      async () => {
        const activity = await db.pool.query(
          "select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'",
          [pid],
        );
        return activity.rowCount === 1;
      },
      10_000,
      { what: "the second caller to wait for the first one's uncommitted row" },
    );
    return { heldId: rows[0]?.id, caller, answer };
  }

  it("returns the row of a conflicting insert that commits while the caller waits for it", async () => {
    const key = `interleaved-${randomUUID()}`;
    const holder = await agentClient();
    const { heldId, caller, answer } = await startBehind(holder, key);
    try {
      await holder.query("commit");
      expect((await answer).rows.map((row) => row.id)).toEqual([heldId]);
      expect(await rowsWithKey(key)).toEqual([{ id: heldId }]);
    } finally {
      await Promise.all([holder.end(), caller.end()]);
    }
  });

  it("creates the row when the conflicting insert it waited for rolls back", async () => {
    const key = `rolled-back-${randomUUID()}`;
    const holder = await agentClient();
    const { caller, answer } = await startBehind(holder, key);
    try {
      await holder.query("rollback");
      const returned = (await answer).rows.map((row) => row.id);
      expect(returned).toHaveLength(1);
      expect(await rowsWithKey(key)).toEqual([{ id: returned[0] }]);
    } finally {
      await Promise.all([holder.end(), caller.end()]);
    }
  });
});

describe("autoexec.propose_action", () => {
  const propose = (key: string | null, type = "ADD_TO_COLLECTION") =>
    `select * from autoexec.propose_action(type => '${type}', action_data => '{"modId": 1, "collectionId": 1}',
       confidence => 0.9, estimated_revenue_impact => 0.5, idempotency_key => ${key === null ? "null" : `'${key}'`})`;

  it("says which call created the action, and inserts as the agent itself", async () => {
    const key = `flags-${randomUUID()}`;
    const clients = await Promise.all(Array.from({ length: 10 }, agentClient));
    try {
      const answers = await Promise.all(clients.map((client) => client.query(propose(key))));
      expect(answers.filter((answer) => answer.rows[0]?.created === true)).toHaveLength(1);
      const { rows } = await db.pool.query(
        "select proposed_by, status, execution_tier from autoexec.actions where idempotency_key = $1",
        [key],
      );
      expect(rows).toEqual([{ proposed_by: "autoexec_agent", status: "PENDING", execution_tier: 1 }]);
      expect(answers[0]?.rows[0]).toMatchObject({ status: "PENDING", execution_tier: 1 });
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it("creates a new action every time without a key", async () => {
    const client = await agentClient();
    try {
      const first = (await client.query(propose(null))).rows[0];
      const second = (await client.query(propose(null))).rows[0];
      expect([first?.created, second?.created]).toEqual([true, true]);
      expect(second?.id).not.toBe(first?.id);
    } finally {
      await client.end();
    }
  });

  it("refuses bad input as the INSERT does, and says to retry when its snapshot cannot see the winner", async () => {
    const client = await agentClient();
    const other = await agentClient();
    try {
      await expect(client.query(propose(`bad-${randomUUID()}`, "NO_SUCH_TYPE"))).rejects.toMatchObject({
        code: "AE001",
        message: expect.stringMatching(/unknown action type "NO_SUCH_TYPE"/),
      });
      const key = `snapshot-${randomUUID()}`;
      await client.query("begin isolation level repeatable read");
      await client.query("select count(*) from autoexec.actions");
      await other.query(propose(key));
      await expect(client.query(propose(key))).rejects.toMatchObject({ code: "40001" });
      await client.query("rollback");
      expect((await client.query(propose(key))).rows[0]).toMatchObject({ created: false });
    } finally {
      await Promise.all([client.end(), other.end()]);
    }
  });

  it("is the agent's alone: no API role may call it", async () => {
    for (const role of ["autoexec_viewer", "autoexec_admin", "autoexec_executor"]) {
      const client = await db.pool.connect();
      try {
        await client.query(`set role ${role}`);
        await expect(client.query(propose(`role-${randomUUID()}`))).rejects.toThrow(/permission denied/);
      } finally {
        await client.query("reset role");
        client.release();
      }
    }
  });
});
