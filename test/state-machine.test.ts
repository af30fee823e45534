import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACTION_STATUSES,
  ACTION_TYPE_MODES,
  EXECUTION_DECISIONS,
  EXECUTION_MODES,
  SEVERITIES,
  TIERS,
  WAIT_KINDS,
} from "../src/vocabulary.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, insertAction, insertMod } from "./support/fixtures.ts";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

type Transition = `${string} -> ${string}`;

async function allowedTransitions(): Promise<Transition[]> {
  const { rows } = await db.pool.query<{ edge: Transition }>(
    "select from_status || ' -> ' || to_status as edge from autoexec_private.action_status_transitions order by 1",
  );
  return rows.map((row) => row.edge);
}

async function column(sql: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ value: string }>(sql);
  return rows.map((row) => row.value).sort();
}

async function statusOf(id: number): Promise<string> {
  const { rows } = await db.pool.query<{ status: string }>(
    "select status from autoexec.actions where id = $1",
    [id],
  );
  return rows[0]?.status as string;
}

describe("the vocabularies", () => {
  it("are the same in TypeScript (src/vocabulary.ts) as in the database's tables", async () => {
    for (const [list, sql] of [
      [ACTION_STATUSES, "select status as value from autoexec.action_statuses"],
      [EXECUTION_MODES, "select mode as value from autoexec.execution_modes"],
      [ACTION_TYPE_MODES, "select mode as value from autoexec.action_type_modes"],
      [WAIT_KINDS, "select wait_kind as value from autoexec.wait_kinds"],
      [SEVERITIES, "select severity as value from autoexec.notification_severities"],
      [TIERS, "select 'TIER_' || tier as value from autoexec.execution_tiers"],
      [EXECUTION_DECISIONS, "select decision as value from autoexec_private.execution_decisions"],
    ] as const) {
      expect([...list].sort(), sql).toEqual(await column(sql));
    }
  });

  it("the hot columns' CHECK constraints allow exactly their vocabulary table's rows", async () => {
    // actions.wait_kind and execution_logs.mode are checked without a foreign key (no lock per write).
    for (const [constraint, sql] of [
      ["actions_wait_kind_check", "select wait_kind as value from autoexec.wait_kinds"],
      ["execution_logs_mode_check", "select mode as value from autoexec.execution_modes"],
    ] as const) {
      const { rows } = await db.pool.query<{ definition: string }>(
        "select pg_get_constraintdef(oid) as definition from pg_constraint where conname = $1",
        [constraint],
      );
      const quoted = [...(rows[0]?.definition ?? "").matchAll(/'([^']+)'::text/g)].map(
        (match) => match[1] as string,
      );
      expect(quoted.sort(), constraint).toEqual(await column(sql));
    }
  });

  it("a value outside them is refused, with the values that are known", async () => {
    await expect(
      db.pool.query(
        "insert into autoexec.notifications (kind, severity, message) values ('t', 'urgent', 'x')",
      ),
    ).rejects.toMatchObject({ code: "23503", constraint: "notifications_severity_fkey" });
    await expect(
      db.pool.query("update autoexec.action_types set mode = 'paused' where tier = 1"),
    ).rejects.toMatchObject({
      code: "23503",
      constraint: "action_types_mode_fkey",
    });
    const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await expect(
      db.pool.query("update autoexec.actions set status = 'DONE' where id = $1", [id]),
    ).rejects.toMatchObject({
      code: "AE005",
      message: `action ${id} may not go from PENDING to DONE`,
      detail: `known statuses: ${[...ACTION_STATUSES].sort().join(", ")}`,
    });
  });
});

describe("docs/state_machine.md", () => {
  const doc = readFileSync(new URL("../docs/state_machine.md", import.meta.url), "utf8");
  const diagram = doc.match(/```mermaid\n([\s\S]*?)```/)?.[1] ?? "";

  it("draws exactly the transitions the database allows", async () => {
    const drawn = [...diagram.matchAll(/^\s*([A-Z_]+) --> ([A-Z_]+)\s*:/gm)].map(
      ([, from, to]) => `${from} -> ${to}` as Transition,
    );
    expect(drawn.sort()).toEqual(await allowedTransitions());
  });

  it("draws and describes every status, and starts every action PENDING", async () => {
    const drawn = new Set([...diagram.matchAll(/\b([A-Z][A-Z_]+)\b/g)].map(([name]) => name));
    expect([...drawn].sort()).toEqual(await column("select status as value from autoexec.action_statuses"));
    expect(diagram).toMatch(/^\s*\[\*\] --> PENDING:/m);
    // Each one heads a row of its table.
    const rowHeads = new Set([...doc.matchAll(/^\| `([a-zA-Z_]+)` +\|/gm)].map(([, name]) => name));
    for (const name of [...ACTION_STATUSES, ...WAIT_KINDS, ...EXECUTION_DECISIONS])
      expect(rowHeads).toContain(name);
  });
});

describe("a status change", () => {
  it("not in the diagram is refused, the owner's too, naming from and to; every one in it is allowed", async () => {
    const allowed = new Set(await allowedTransitions());
    const id = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const client = await db.pool.connect();
    const refused: Transition[] = [];
    try {
      for (const from of ACTION_STATUSES) {
        for (const to of ACTION_STATUSES) {
          if (from === to) continue;
          await client.query("begin");
          // Put the action in `from` without the triggers: the check under test is the only one that runs.
          await client.query("set local session_replication_role = replica");
          await client.query("update autoexec.actions set status = $2 where id = $1", [id, from]);
          await client.query("set local session_replication_role = origin");
          try {
            await client.query("update autoexec.actions set status = $2 where id = $1", [id, to]);
          } catch (error) {
            expect(error).toMatchObject({
              code: "AE005",
              message: `action ${id} may not go from ${from} to ${to}`,
            });
            refused.push(`${from} -> ${to}`);
          }
          await client.query("rollback");
        }
      }
    } finally {
      client.release();
    }
    expect(refused).toContain("EXECUTED -> PENDING");
    expect(refused).toContain("ROLLED_BACK -> EXECUTED");
    expect(refused.filter((edge) => allowed.has(edge))).toEqual([]);
    expect(refused).toHaveLength(ACTION_STATUSES.length * (ACTION_STATUSES.length - 1) - allowed.size);
  });

  it("in the diagram happens, each one through the function the diagram names", async () => {
    const tier1 = async () => insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const tier2 = async () =>
      insertAction(db.pool, {
        type: "EXPAND_CONTENT",
        data: { modId: await insertMod(db.pool), text: "More." },
      });
    const tier3 = async () =>
      insertAction(db.pool, { type: "CHANGE_PRICING", data: { modId: await insertMod(db.pool) } });
    const run = (sql: string, id: number, ...args: unknown[]) => db.pool.query(sql, [id, ...args]);
    const approve = (id: number) => run("select autoexec.approve_action($1)", id);
    const executeLive = (id: number) =>
      run("select log_id from autoexec_private.record_execution($1, 'live', 'auto', '{}', '{}', 1)", id);
    // Dry-run failures: they end the action like live ones but leave the circuit breaker out of it.
    const failEveryAttempt = async (id: number) => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await run("select autoexec_private.record_failure($1, 'dry_run', 'auto', 'slot API down', 1)", id);
      }
    };
    const expire = async (id: number) => {
      await run("update autoexec.actions set expires_at = now() - interval '1 minute' where id = $1", id);
      await db.pool.query("select autoexec_private.sweep()");
    };
    const pending = async (make: () => Promise<number>) => make();
    const approved = async (make: () => Promise<number>) => {
      const id = await make();
      await approve(id);
      return id;
    };
    const failed = async (make: () => Promise<number>) => {
      const id = await make();
      await failEveryAttempt(id);
      return id;
    };

    const scenarios: Record<Transition, () => Promise<number>> = {
      "PENDING -> APPROVED": async () => approved(tier2),
      "PENDING -> REJECTED": async () => {
        const id = await pending(tier2);
        await run("select autoexec.reject_action($1, 'not now')", id);
        return id;
      },
      "PENDING -> IMPLEMENTED": async () => {
        const id = await pending(tier3);
        await run("select autoexec.mark_action_implemented($1, 'done by hand')", id);
        return id;
      },
      "PENDING -> EXECUTED": async () => {
        const id = await pending(tier1);
        await executeLive(id);
        return id;
      },
      "PENDING -> FAILED": async () => failed(tier1),
      "PENDING -> INVALID": async () => {
        const id = await pending(tier1);
        await run("select autoexec_private.record_invalid($1, 'no such product')", id);
        return id;
      },
      "PENDING -> EXPIRED": async () => {
        const id = await pending(tier1);
        await expire(id);
        return id;
      },
      "APPROVED -> REJECTED": async () => {
        const id = await approved(tier2);
        await run("select autoexec.reject_action($1, 'changed my mind')", id);
        return id;
      },
      "APPROVED -> IMPLEMENTED": async () => {
        const id = await approved(tier3);
        await run("select autoexec.mark_action_implemented($1, 'done by hand')", id);
        return id;
      },
      "APPROVED -> EXECUTED": async () => {
        const id = await approved(tier2);
        await executeLive(id);
        return id;
      },
      "APPROVED -> FAILED": async () => failed(async () => approved(tier2)),
      "APPROVED -> INVALID": async () => {
        const id = await approved(tier2);
        await run("select autoexec_private.record_invalid($1, 'no such mod')", id);
        return id;
      },
      "APPROVED -> EXPIRED": async () => {
        const id = await approved(tier2);
        await expire(id);
        return id;
      },
      "APPROVED -> PENDING": async () => {
        const id = await approved(tier2);
        await run("select autoexec_private.return_for_review($1, 'the content moved on')", id);
        return id;
      },
      "FAILED -> PENDING": async () => {
        const id = await failed(tier1);
        await run("select autoexec.retry_action($1)", id);
        return id;
      },
      "FAILED -> APPROVED": async () => {
        const id = await failed(async () => approved(tier2));
        await run("select autoexec.retry_action($1)", id);
        return id;
      },
      "EXECUTED -> ROLLED_BACK": async () => {
        const id = await pending(tier1);
        const { rows } = await executeLive(id);
        await db.pool.query(
          "select autoexec_private.finish_rollback($1, 'alice', 'wrong link', false, null)",
          [rows[0]?.log_id],
        );
        return id;
      },
    };
    expect(Object.keys(scenarios).sort()).toEqual(await allowedTransitions());
    for (const [edge, scenario] of Object.entries(scenarios)) {
      const to = edge.split(" -> ")[1];
      expect(await statusOf(await scenario()), edge).toBe(to);
    }
  });
});
