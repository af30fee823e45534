import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, insertAction, insertMod } from "./support/fixtures.ts";
import { loginUrl, queryAs } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

// What a login can reach besides the doors it was given: notification payloads on a channel any
// role may LISTEN to, and direct writes to the engine's state.

let db: TestDatabase;
let agentUrl: string;
let workerUrl: string;
let serverUrl: string;
beforeAll(async () => {
  db = await createTestDatabase();
  agentUrl = await loginUrl(db, "autoexec_agent");
  workerUrl = await loginUrl(db, "autoexec_worker");
  serverUrl = await loginUrl(db, "autoexec_server");
});
afterAll(() => db?.drop());

const SECRET = "Action 7 failed 3 times: affiliate account 4411 suspended";

describe("autoexec_notifications", () => {
  it("tells a listening agent only ids, not the alert texts it may not read", async () => {
    const agent = new pg.Client({ connectionString: agentUrl });
    await agent.connect();
    try {
      const received: string[] = [];
      agent.on("notification", (message) => received.push(message.payload ?? ""));
      // LISTEN needs no privilege in PostgreSQL: every role may listen to every channel.
      await agent.query("listen autoexec_notifications");
      const { rows } = await db.pool.query<{ id: number }>(
        "select autoexec_private.notify('action_failed', 'warning', $1, $2) as id",
        [SECRET, JSON.stringify({ error: SECRET })],
      );
      await waitFor(() => received.length > 0, 10_000, { what: "the notification" });
      expect(received.map((payload) => JSON.parse(payload))).toEqual([{ id: Number(rows[0]?.id) }]);
      await expect(agent.query("select message from autoexec.notifications")).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await agent.end();
    }
  });
});

describe("the engine's state", () => {
  /** The error message of `sql` run by `url`'s login after `set role` (when given), or "ok". */
  async function attempt(url: string, sql: string, role?: string): Promise<string> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      if (role) await client.query(`set role ${role}`);
      await client.query(sql);
      return "ok";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end();
    }
  }

  const directWrites = [
    "update autoexec.engine_state set breaker_open = false",
    "update autoexec.engine_state set cooldown_until = null",
    "update autoexec.engine_state set consecutive_failures = 0",
    "update autoexec.engine_state set breaker_reset_at = now()",
    "delete from autoexec.engine_state",
    "insert into autoexec.engine_state (id) values (false)",
    "update autoexec.settings set enabled = true",
    "update autoexec.settings set dry_run = false, hourly_limit = 1000000",
    "delete from autoexec.settings",
  ];
  const logins = (): { who: string; url: string; role?: string }[] => [
    { who: "the worker", url: workerUrl },
    { who: "the agent", url: agentUrl },
    ...["autoexec_executor", "autoexec_admin", "autoexec_viewer"].map((role) => ({
      who: `the server as ${role}`,
      url: serverUrl,
      role,
    })),
  ];

  it("cannot be written directly by any login, whatever role it sets", async () => {
    const allowed: string[] = [];
    for (const { who, url, role } of logins()) {
      for (const sql of directWrites) {
        const answer = await attempt(url, sql, role);
        if (!/permission denied/.test(answer)) allowed.push(`${who}: ${sql} -> ${answer}`);
      }
    }
    expect(allowed).toEqual([]);
  });

  it("changes through the engine's functions, which audit every pause they start", async () => {
    await db.pool.query(
      "update autoexec.settings set failures_before_cooldown = 3, breaker_min_executions = 4, breaker_window = 4",
    );
    const fail = async () => {
      const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      await queryAs(
        workerUrl,
        "select * from autoexec_private.record_failure($1, 'live', 'auto', 'boom', 1)",
        [actionId],
      );
    };
    for (let i = 0; i < 3; i++) await fail();
    const state = await db.pool.query(
      "select cooldown_until > now() as cooling, breaker_open from autoexec.engine_state",
    );
    expect(state.rows[0]).toEqual({ cooling: true, breaker_open: false });
    await fail();
    expect((await db.pool.query("select breaker_open from autoexec.engine_state")).rows[0]).toEqual({
      breaker_open: true,
    });

    const { rows } = await db.pool.query(
      `select actor, action, subject_type, new_values, note from autoexec.audit_events
       where subject_type = 'circuit_breaker' order by id`,
    );
    expect(rows).toEqual([
      {
        actor: "engine",
        action: "cooldown.started",
        subject_type: "circuit_breaker",
        new_values: { cooldownUntil: expect.any(String) },
        note: expect.stringMatching(/^3 executions failed in a row; execution pauses until /),
      },
      {
        actor: "engine",
        action: "breaker.opened",
        subject_type: "circuit_breaker",
        new_values: { open: true },
        note: "4 of the last 4 executions failed (100% > 20%)",
      },
    ]);
  });
});

describe("an action's decision", () => {
  it("cannot be made by a login's UPDATE: approving or reviving is an admin's function", async () => {
    const tier2 = await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: 1, content: "x" } });
    const rejected = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await db.pool.query(
      "update autoexec.actions set status = 'REJECTED', reviewed_by = 'alice', reviewed_at = now() where id = $1",
      [rejected],
    );
    const doors = [
      `update autoexec.actions set status = 'APPROVED' where id = ${tier2}`,
      `update autoexec.actions set status = 'PENDING' where id = ${rejected}`,
    ];
    const allowed: string[] = [];
    for (const sql of doors) {
      for (const [who, url, role] of [
        ["the worker", workerUrl, undefined],
        ["the server as autoexec_executor", serverUrl, "autoexec_executor"],
      ] as const) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          if (role) await client.query(`set role ${role}`);
          await client.query(sql);
          allowed.push(`${who}: ${sql}`);
        } catch (error) {
          expect((error as Error).message).toMatch(/only an admin's decision/);
        } finally {
          await client.end();
        }
      }
    }
    expect(allowed).toEqual([]);
    const { rows } = await db.pool.query(
      "select id, status from autoexec.actions where id = any($1) order by id",
      [[tier2, rejected]],
    );
    expect(rows).toEqual([
      { id: tier2, status: "PENDING" },
      { id: rejected, status: "REJECTED" },
    ]);
  });
});
