import type pg from "pg";
import { describe, expect, it } from "vitest";
import { databaseForTests } from "./support/db.ts";
import { amazonLink, insertMod } from "./support/fixtures.ts";

const db = databaseForTests();

const INSERT = `insert into autoexec.actions
  (type, action_data, confidence, estimated_revenue_impact, rate_limit_key, idempotency_key, expires_at)
  values ($1, $2, $3, $4, $5, $6, $7) returning id, status, execution_tier`;

/** Runs `work` as the agent's role in a transaction that is rolled back afterwards. */
async function asAgent<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query("begin");
    await client.query("set local role autoexec_agent");
    return await work(client);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

function propose(client: pg.PoolClient, fields: Partial<Record<string, unknown>> = {}) {
  return client.query(INSERT, [
    fields.type ?? "ADD_AFFILIATE_LINK",
    fields.data === undefined ? JSON.stringify(amazonLink(1)) : fields.data,
    fields.confidence ?? 0.9,
    fields.impact ?? 2.5,
    fields.rateLimitKey ?? null,
    fields.idempotencyKey ?? null,
    fields.expiresAt ?? null,
  ]);
}

async function jobCount(client: pg.PoolClient | pg.Pool, actionId: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from graphile_worker.jobs where key = $1",
    [`execute_action:${actionId}`],
  );
  return rows[0]?.n ?? 0;
}

describe("the agent's INSERT", () => {
  it("returns id, status and the tier derived from the catalogue", async () => {
    await insertMod(db.pool);
    await asAgent(async (client) => {
      for (const [type, tier] of [
        ["ADD_AFFILIATE_LINK", 1],
        ["EXPAND_CONTENT", 2],
        ["CHANGE_PRICING", 3],
      ] as const) {
        const { rows } = await propose(client, { type });
        expect(rows[0]).toMatchObject({ status: "PENDING", execution_tier: tier });
      }
    });
  });

  it("catalogues all twelve PRD action types, and Tier 3 can never be made executable", async () => {
    const { rows } = await db.pool.query(
      "select type, tier, auto_executable from autoexec.action_types order by type",
    );
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.tier === 1).map((row) => row.type)).toEqual([
      "ADD_AFFILIATE_LINK",
      "ADD_TO_COLLECTION",
      "GENERATE_INTERNAL_LINK_SUGGESTIONS",
      "UPDATE_META_DESCRIPTION",
    ]);
    expect(rows.filter((row) => row.tier === 3)).toHaveLength(5);
    expect(rows.filter((row) => row.auto_executable).every((row) => row.tier === 1)).toBe(true);
    await expect(
      db.pool.query("update autoexec.action_types set mode = 'live' where type = 'REMOVE_CONTENT'"),
    ).rejects.toThrow(/tier_3_is_never_executed/);
    // Every column means something the engine reads (a per-type "settings" bag nobody used is gone).
    const { rows: columns } = await db.pool.query(
      `select attname from pg_attribute where attrelid = 'autoexec.action_types'::regclass and attnum > 0
         and not attisdropped order by attname`,
    );
    expect(columns.map((column) => column.attname)).toEqual([
      "action_data_ids",
      "auto_executable",
      "daily_cap",
      "data_schema",
      "description",
      "mode",
      "tier",
      "type",
    ]);
  });

  it("cannot set tier, auto-executability or status: the agent lacks the privilege", async () => {
    await asAgent(async (client) => {
      await expect(
        client.query(
          `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, execution_tier)
           values ('CHANGE_PRICING', '{}', 0.9, 1, 1)`,
        ),
      ).rejects.toThrow(/permission denied/);
    });
    await asAgent(async (client) => {
      await expect(
        client.query(
          `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, status)
           values ('EXPAND_CONTENT', '{}', 0.9, 1, 'APPROVED')`,
        ),
      ).rejects.toThrow(/permission denied/);
    });
  });

  it("ignores tier and status supplied by a role that may write them", async () => {
    const { rows } = await db.pool.query(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact,
         execution_tier, status, execution_attempts)
       values ('CHANGE_URL', '{}', 0.99, 100, 1, 'APPROVED', 7)
       returning status, execution_tier, auto_executable, execution_attempts`,
    );
    expect(rows[0]).toEqual({
      status: "PENDING",
      execution_tier: 3,
      auto_executable: false,
      execution_attempts: 0,
    });
  });

  it("derives auto_executable from the action's own tier: nobody writes it, and it follows the tier", async () => {
    await expect(
      db.pool.query(
        `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, auto_executable)
         values ('CHANGE_URL', '{}', 0.99, 100, true)`,
      ),
    ).rejects.toThrow(/auto_executable/);
    const { rows } = await db.pool.query<{ id: number; auto_executable: boolean }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       values ('EXPAND_CONTENT', '{"modId": 1, "text": "x"}', 0.9, 1) returning id, auto_executable`,
    );
    expect(rows[0]?.auto_executable).toBe(false);
    const { rows: after } = await db.pool.query(
      "update autoexec.actions set execution_tier = 1 where id = $1 returning auto_executable",
      [rows[0]?.id],
    );
    expect(after[0]?.auto_executable).toBe(true);
  });

  it.each([
    ["an unknown type", { type: "SELL_THE_SITE" }, /unknown action type "SELL_THE_SITE"/],
    ["confidence above 1", { confidence: 1.01 }, /confidence must be between 0 and 1, got 1.01/],
    ["confidence below 0", { confidence: -0.1 }, /confidence must be between 0 and 1, got -0.1/],
    ["a negative impact", { impact: -1 }, /estimated_revenue_impact must be zero or more/],
    ["action_data that is an array", { data: "[1, 2]" }, /action_data must be a JSON object, got array/],
    ["action_data that is a string", { data: '"hello"' }, /action_data must be a JSON object, got string/],
    [
      "action_data over 64 KiB",
      { data: JSON.stringify({ modId: 1, padding: "x".repeat(65_536) }) },
      /action_data is \d+ bytes; the limit is 65536/,
    ],
  ])("refuses %s with an error naming the problem", async (_what, fields, message) => {
    await asAgent(async (client) => {
      await expect(propose(client, fields)).rejects.toThrow(message);
    });
  });

  it("accepts action_data of exactly 64 KiB", async () => {
    // Four strings, as one string may hold at most 20,000 characters; jsonb writes ", " and ": ".
    const keys = ["p1", "p2", "p3", "p4"];
    const empty = `{${keys.map((key) => `"${key}": ""`).join(", ")}}`;
    const padding = "x".repeat((65_536 - empty.length) / keys.length);
    const data = JSON.stringify(Object.fromEntries(keys.map((key) => [key, padding])));
    await asAgent(async (client) => {
      const { rows: sized } = await client.query("select octet_length($1::jsonb::text) as n", [data]);
      expect(sized[0].n).toBe(65_536);
      await expect(propose(client, { data })).resolves.toBeTruthy();
    });
  });

  it("enqueues a Tier 1 action's job in the same transaction, and never a Tier 2 or 3 one", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      // Live (rolled back below): with the switch off a Tier 1 action waits from the start, without a job.
      await client.query("update autoexec.settings set enabled = true, dry_run = false");
      await client.query("set local role autoexec_agent");
      const tier1 = (await propose(client)).rows[0].id;
      const tier2 = (await propose(client, { type: "ADD_AD_SLOT" })).rows[0].id;
      const tier3 = (await propose(client, { type: "REMOVE_CONTENT" })).rows[0].id;
      await client.query("reset role");
      expect(await jobCount(client, tier1)).toBe(1);
      expect(await jobCount(client, tier2)).toBe(0);
      expect(await jobCount(client, tier3)).toBe(0);
      await client.query("rollback");
      expect(await jobCount(db.pool, tier1)).toBe(0);
    } finally {
      client.release();
    }
  });

  it("creates nothing new for a repeated idempotency key, and the documented query returns the first row", async () => {
    await asAgent(async (client) => {
      const first = (await propose(client, { idempotencyKey: "agent-run-7:mod-1:amazon" })).rows[0];
      await client.query("savepoint duplicate");
      await expect(propose(client, { idempotencyKey: "agent-run-7:mod-1:amazon" })).rejects.toThrow(
        /actions_idempotency_key_key/,
      );
      await client.query("rollback to savepoint duplicate");
      // The query docs/agent.md gives for "insert, or give me the row I inserted before".
      const { rows } = await client.query(
        `with inserted as (
           insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, idempotency_key)
           values ('ADD_AFFILIATE_LINK', $1, 0.9, 2.5, $2)
           on conflict (idempotency_key) do nothing
           returning id, status, execution_tier
         )
         select * from inserted
         union all
         select id, status, execution_tier from autoexec.actions
         where idempotency_key = $2 and not exists (select from inserted)`,
        [JSON.stringify(amazonLink(1)), "agent-run-7:mod-1:amazon"],
      );
      expect(rows).toEqual([first]);
      const { rows: count } = await client.query(
        "select count(*)::int as n from autoexec.actions where idempotency_key = 'agent-run-7:mod-1:amazon'",
      );
      expect(count[0].n).toBe(1);
    });
  });

  it("may read actions but not change them or anything else", async () => {
    await asAgent(async (client) => {
      await client.query("select id, status, status_reason from autoexec.actions limit 1");
      await client.query("savepoint s");
      await expect(client.query("update autoexec.actions set status = 'APPROVED'")).rejects.toThrow(
        /permission denied/,
      );
      await client.query("rollback to savepoint s");
      await expect(client.query("update autoexec.settings set enabled = true")).rejects.toThrow(
        /permission denied/,
      );
    });
    await asAgent(async (client) => {
      await expect(client.query("select * from content.mods")).rejects.toThrow(/permission denied/);
    });
  });
});
