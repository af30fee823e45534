import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedAgent } from "../src/demo/agent.ts";
import { seedDemoSite } from "../src/demo/site.ts";
import { startWorker, type Worker } from "../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { waitFor } from "./support/wait.ts";

let db: TestDatabase;
let worker: Worker;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoSite(db.pool);
  await db.pool.query("update autoexec.settings set enabled = true, dry_run = true");
  worker = await startWorker({ pool: db.pool, log: db.log, concurrency: 4, pollInterval: 100 });
});
afterAll(async () => {
  await worker.stop();
  await db.drop();
});

/** A repeatable sequence of "random" numbers (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool.query(`select count(*)::int as n from ${sql}`);
  return rows[0].n;
}

describe("the demo site and simulated agent", () => {
  it("seeds a few dozen mods with text and some collections", async () => {
    expect(await count("content.mods")).toBeGreaterThanOrEqual(30);
    expect(await count("content.collections")).toBeGreaterThanOrEqual(4);
    expect(await count("content.collection_mods")).toBeGreaterThanOrEqual(10);
    expect(await count("content.mods where length(body) > 80")).toBe(await count("content.mods"));
  });

  it("proposes a realistic mix through the agent's role, which the engine handles tier by tier", async () => {
    const agent = createSimulatedAgent({ agentPool: db.pool, sitePool: db.pool, random: seeded(18) });
    for (let i = 0; i < 80; i++) await agent.proposeOne();

    expect(await count("autoexec.actions where proposed_by <> 'autoexec_agent'")).toBe(0);
    for (const tier of [1, 2, 3])
      expect(await count(`autoexec.actions where execution_tier = ${tier}`)).toBeGreaterThan(4);
    const settled = () =>
      count("graphile_worker.jobs where task_identifier = 'execute_action' and run_at <= now()").then(
        (n) => n === 0,
      );
    await waitFor(settled, 20_000, { what: "the engine to work through the proposals" });

    // Dry run: Tier 1 proposals ran without changing anything; bad data ended INVALID; low confidence waits.
    expect(await count("autoexec.execution_logs where mode = 'dry_run' and success")).toBeGreaterThan(10);
    expect(await count("autoexec.execution_logs where mode = 'live'")).toBe(0);
    expect(await count("autoexec.actions where status = 'INVALID'")).toBeGreaterThan(0);
    expect(
      await count("autoexec.actions where status_reason like 'confidence % is not above the minimum%'"),
    ).toBeGreaterThan(0);
    expect(
      await count(
        "autoexec.actions where execution_tier = 2 and status_reason = 'waiting for an admin''s approval'",
      ),
    ).toBeGreaterThan(0);
    expect(
      await count("autoexec.actions where execution_tier = 3 and status_reason like 'manual only%'"),
    ).toBe(await count("autoexec.actions where execution_tier = 3"));

    // Going live runs the waiting Tier 1 actions for real, and the link for the full page keeps failing.
    await db.pool.query(
      "update autoexec.settings set dry_run = false, hourly_limit = 1000, daily_limit = 1000, rate_limit_key_limit = 100",
    );
    await waitFor(
      async () => (await count("autoexec.execution_logs where mode = 'live' and success")) > 10,
      20_000,
      {
        what: "live executions",
      },
    );
    const failing = await db.pool.query(
      `select a.id from autoexec.actions a join content.mods m on m.id = (a.action_data ->> 'modId')::bigint
       where a.type = 'ADD_AFFILIATE_LINK' and jsonb_array_length(m.affiliate_links) >= 12 and a.status = 'PENDING'`,
    );
    expect(failing.rows.length).toBeGreaterThan(0);
    const failingId = failing.rows[0].id;
    await waitFor(
      async () => {
        // Skip graphile-worker's backoff between attempts rather than wait it out.
        await db.pool.query(
          "select graphile_worker.reschedule_jobs(array(select id from graphile_worker.jobs where key = $1), run_at => now())",
          [`execute_action:${failingId}`],
        );
        return (await count(`autoexec.actions where id = ${failingId} and status = 'FAILED'`)) === 1;
      },
      30_000,
      {
        what: "the action on the full page to fail for good",
        describe: async () =>
          JSON.stringify(
            (
              await db.pool.query(
                `select a.status, a.status_reason, a.execution_attempts, e.cooldown_until, e.breaker_open,
                   (select json_agg(j) from graphile_worker.jobs j where j.key = 'execute_action:' || a.id) as jobs,
                   (select json_agg(json_build_object('actionId', l.action_id, 'error', l.error_message, 'mode', l.mode)
                      order by l.id) from autoexec.execution_logs l where not l.success) as failures
                 from autoexec.actions a cross join autoexec.engine_state e where a.id = $1`,
                [failingId],
              )
            ).rows,
          ),
      },
    );
    const { rows } = await db.pool.query("select status_reason from autoexec.actions where id = $1", [
      failingId,
    ]);
    expect(rows[0].status_reason).toMatch(/^failed 3 times; last error: .*mods_affiliate_links_limit/);
  });
});
