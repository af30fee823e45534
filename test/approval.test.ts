import type { Runner } from "graphile-worker";
import type pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import { startWorker } from "../src/worker.ts";
import { databaseForTests } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  getAction,
  goLive,
  insertAction,
  insertMod,
  minutesAgo,
  resetEngine,
} from "./support/fixtures.ts";
import { type AppRole, asRole } from "./support/roles.ts";
import { waitFor } from "./support/wait.ts";

const db = databaseForTests();

beforeEach(() => resetEngine(db.pool, { hourly_limit: 10, approval_ttl: "24 hours" }));

const run = (actionId: number, options = {}) =>
  executeAction({ pool: db.pool, handlers, log: db.log }, actionId, options);

/** Runs `work` as an admin (or `role`) signed in to the API as `sub`, as the API does. */
const asAdmin = <T>(
  sub: string,
  work: (client: pg.PoolClient) => Promise<T>,
  role: AppRole = "autoexec_admin",
) => asRole(db.pool, role, sub, work);

const approve = (sub: string, id: number, note: string | null = null) =>
  asAdmin(sub, (client) => client.query("select * from autoexec.approve_action($1, $2)", [id, note]));

async function proposeExpansion(modId?: number) {
  const mod = modId ?? (await insertMod(db.pool, { body: "Original body." }));
  return insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: mod, content: "More words." } });
}

async function jobKeys(): Promise<string[]> {
  // The execution jobs (the waiting line's dispatcher, woken by settings changes, is not one).
  const { rows } = await db.pool.query(
    "select key from graphile_worker.jobs where task_identifier = 'execute_action' order by key",
  );
  return rows.map((row) => row.key);
}

describe("approving Tier 2 actions", () => {
  let worker: Runner | undefined;
  afterAll(async () => worker?.stop());

  it("enqueues the execution in the approving transaction; the worker executes it within seconds", async () => {
    await goLive(db.pool);
    const id = await proposeExpansion();
    expect(await jobKeys()).toEqual([]);
    await approve("alice", id, "reads well");
    expect(await jobKeys()).toEqual([`execute_action:${id}`]);

    worker = await startWorker({ pool: db.pool, log: db.log, concurrency: 2, pollInterval: 200 });
    await waitFor(async () => (await getAction(db.pool, id)).status === "EXECUTED", 10_000, {
      what: "execution",
    });
    await worker.stop();
    worker = undefined;

    const { rows } = await db.pool.query(
      "select reviewed_by, review_note, status_reason from autoexec.actions where id = $1",
      [id],
    );
    expect(rows[0]).toEqual({ reviewed_by: "alice", review_note: "reads well", status_reason: null });
    const { rows: logs } = await db.pool.query(
      "select executed_by, mode, success from autoexec.execution_logs",
    );
    expect(logs).toEqual([{ executed_by: "approved", mode: "live", success: true }]);
    const { rows: notices } = await db.pool.query(
      "select kind, payload ->> 'approvedBy' as by from autoexec.notifications where kind = 'tier2_executed'",
    );
    expect(notices).toEqual([{ kind: "tier2_executed", by: "alice" }]);
    const { rows: audit } = await db.pool.query(
      "select actor, action, subject_id, note from autoexec.audit_events where action = 'action.approved'",
    );
    expect(audit).toEqual([
      { actor: "alice", action: "action.approved", subject_id: String(id), note: "reads well" },
    ]);
  });

  it("rolling back the approving transaction leaves neither approval nor job", async () => {
    const id = await proposeExpansion();
    await expect(
      asAdmin("alice", async (client) => {
        await client.query("select autoexec.approve_action($1)", [id]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect((await getAction(db.pool, id)).status).toBe("PENDING");
    expect(await jobKeys()).toEqual([]);
  });

  it("two admins approving the same action at once: one approval, one clear refusal, one execution", async () => {
    await goLive(db.pool);
    const id = await proposeExpansion();
    const results = await Promise.allSettled([approve("alice", id), approve("bob", id)]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refusal = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect(refusal.reason.message).toMatch(
      new RegExp(`action ${id} is APPROVED \\((alice|bob) at .*\\), only a PENDING`),
    );

    await Promise.all([run(id), run(id), run(id)]);
    const { rows } = await db.pool.query(
      "select count(*)::int as n from autoexec.execution_logs where success",
    );
    expect(rows[0].n).toBe(1);
  });

  it("approves a batch all or nothing", async () => {
    const [a, b, c] = [await proposeExpansion(), await proposeExpansion(), await proposeExpansion()];
    await approve("alice", c);
    await expect(
      asAdmin("bob", (client) => client.query("select * from autoexec.approve_actions($1)", [[a, b, c]])),
    ).rejects.toThrow(new RegExp(`action ${c} is APPROVED`));
    expect((await getAction(db.pool, a)).status).toBe("PENDING");
    const { rows } = await asAdmin("bob", (client) =>
      client.query("select id, status from autoexec.approve_actions($1, 'batch')", [[b, a]]),
    );
    expect(rows).toEqual([
      { id: b, status: "APPROVED" },
      { id: a, status: "APPROVED" },
    ]);
  });

  it("viewers and the agent cannot approve, reject or reset anything", async () => {
    const id = await proposeExpansion();
    for (const role of ["autoexec_viewer", "autoexec_agent", "autoexec_auditor"] as const) {
      await expect(
        asAdmin("mallory", (client) => client.query("select autoexec.approve_action($1)", [id]), role),
      ).rejects.toThrow(/permission denied for function approve_action/);
      await expect(
        asAdmin("mallory", (client) => client.query("select autoexec.reject_action($1, 'no')", [id]), role),
      ).rejects.toThrow(/permission denied for function reject_action/);
    }
  });

  it("rejecting needs a reason, records it, and the action never runs", async () => {
    await goLive(db.pool);
    const id = await proposeExpansion();
    await expect(
      asAdmin("alice", (client) => client.query("select autoexec.reject_action($1, ' ')", [id])),
    ).rejects.toThrow(/a reason is required/);
    await asAdmin("alice", (client) =>
      client.query("select autoexec.reject_action($1, 'off-brand tone')", [id]),
    );
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "REJECTED",
      status_reason: "rejected: off-brand tone",
    });
    expect(await run(id)).toMatchObject({
      outcome: "not_now",
      decision: "skip",
      reason: "action is REJECTED",
    });
  });

  it("an approval that has not executed within approval_ttl expires with a reason", async () => {
    const id = await proposeExpansion(); // the engine is off, so it cannot execute
    await approve("alice", id);
    const { rows } = await db.pool.query(
      "select extract(epoch from expires_at - reviewed_at)::int as ttl from autoexec.actions where id = $1",
      [id],
    );
    expect(rows[0].ttl).toBe(24 * 3600);
    await db.pool.query(
      "update autoexec.actions set expires_at = now() - interval '1 second' where id = $1",
      [id],
    );
    await db.pool.query("select autoexec_private.sweep()");
    const action = await getAction(db.pool, id);
    expect(action.status).toBe("EXPIRED");
    expect(action.status_reason).toMatch(/^approved at .* but not executed by .*; the approval expired$/);
  });

  it("obeys the switch, dry run, cooldown and breaker, but not the Tier 1 hourly and daily limits", async () => {
    const id = await proposeExpansion();
    await approve("alice", id);
    expect(await run(id)).toMatchObject({
      outcome: "not_now",
      reason: "auto-execution is switched off (settings.enabled)",
    });
    await db.pool.query("update autoexec.settings set enabled = true");
    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "dry_run" });
    expect((await getAction(db.pool, id)).status).toBe("APPROVED");

    await db.pool.query("update autoexec.settings set dry_run = false");
    await db.pool.query("update autoexec.engine_state set cooldown_until = now() + interval '5 minutes'");
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "defer" });
    await db.pool.query(
      "update autoexec.engine_state set cooldown_until = null, breaker_open = true, breaker_reason = 'x'",
    );
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "wait" });
    await db.pool.query("update autoexec.engine_state set breaker_open = false");

    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(5)),
    ); // hourly limit is full
    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "live" });
  });

  it("an approved low-confidence Tier 1 action runs despite the thresholds, executed by 'approved'", async () => {
    await goLive(db.pool);
    const modId = await insertMod(db.pool);
    const id = await insertAction(db.pool, { data: amazonLink(modId), confidence: 0.4 });
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "wait" });
    await approve("alice", id);
    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "live" });
    const { rows } = await db.pool.query("select executed_by from autoexec.execution_logs");
    expect(rows).toEqual([{ executed_by: "approved" }]);
  });
});

describe("Tier 3", () => {
  it("is stored and approvable for manual implementation, and never executed, even approved and forced", async () => {
    await goLive(db.pool);
    const id = await insertAction(db.pool, {
      type: "CHANGE_PRICING",
      data: { product: "premium", to: 3.99 },
    });
    const { rows } = await approve("alice", id, "do it on Monday");
    expect(rows[0]).toMatchObject({
      status: "APPROVED",
      status_reason: "approved for manual implementation: the engine never executes Tier 3 actions",
    });
    expect(await jobKeys()).toEqual([]);
    expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "skip" });
    expect(await run(id, { force: true, actor: "alice", reason: "try it" })).toMatchObject({
      outcome: "not_now",
      decision: "skip",
    });
    await db.pool.query("select autoexec_private.sweep()");
    expect(await jobKeys()).toEqual([]);
    // Even a direct INSERT of an execution log for a Tier 3 action is refused.
    await expect(
      db.pool.query(
        `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_by, mode, attempt,
           input_data, success, duration_ms) values ($1, 'CHANGE_PRICING', 3, 'alice', 'live', 1, '{}', true, 1)`,
        [id],
      ),
    ).rejects.toThrow(/execution_logs_tier_3_never_executed/);
  });

  it("an admin marks it implemented by hand, with a note; only Tier 3 can be", async () => {
    const id = await insertAction(db.pool, { type: "CHANGE_URL", data: { from: "/a", to: "/b" } });
    await expect(
      asAdmin("alice", (client) => client.query("select autoexec.mark_action_implemented($1, '')", [id])),
    ).rejects.toThrow(/a note saying what was done is required/);
    await asAdmin("alice", (client) =>
      client.query("select autoexec.mark_action_implemented($1, 'redirect added in nginx')", [id]),
    );
    expect(await getAction(db.pool, id)).toMatchObject({
      status: "IMPLEMENTED",
      status_reason: "implemented by hand: redirect added in nginx",
    });
    const tier2 = await proposeExpansion();
    await expect(
      asAdmin("alice", (client) =>
        client.query("select autoexec.mark_action_implemented($1, 'done')", [tier2]),
      ),
    ).rejects.toThrow(/is Tier 2: only Tier 3 actions are implemented by hand/);
    const { rows } = await db.pool.query(
      "select actor, action from autoexec.audit_events where subject_id = $1",
      [String(id)],
    );
    expect(rows).toEqual([{ actor: "alice", action: "action.implemented" }]);
  });
});

describe("staged rollout", () => {
  it("phase 2 is ADD_AFFILIATE_LINK live with at most 5 a day, every other type dry run, Tier 3 disabled", async () => {
    await asAdmin("alice", (client) => client.query("select autoexec.apply_rollout_phase(2)"));
    const { rows: settings } = await db.pool.query("select enabled, dry_run from autoexec.settings");
    expect(settings[0]).toEqual({ enabled: true, dry_run: false });
    const { rows: types } = await db.pool.query(
      "select type, tier, mode, daily_cap from autoexec.action_types",
    );
    for (const type of types) {
      if (type.type === "ADD_AFFILIATE_LINK") expect(type).toMatchObject({ mode: "live", daily_cap: 5 });
      else if (type.tier < 3) expect(type).toMatchObject({ mode: "dry_run", daily_cap: null });
      else expect(type).toMatchObject({ mode: "disabled" });
    }

    const links = [];
    for (let i = 0; i < 6; i++)
      links.push(await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }));
    const outcomes = [];
    for (const id of links) outcomes.push((await run(id)).outcome);
    expect(outcomes).toEqual(["executed", "executed", "executed", "executed", "executed", "not_now"]);
    expect((await getAction(db.pool, links[5] as number)).status_reason).toMatch(
      /^daily cap for ADD_AFFILIATE_LINK reached \(5 per rolling 24 hours\)/,
    );
    const meta = await insertAction(db.pool, {
      type: "UPDATE_META_DESCRIPTION",
      data: { modId: await insertMod(db.pool), metaDescription: "A fine mod." },
    });
    expect(await run(meta)).toMatchObject({ outcome: "executed", mode: "dry_run" });

    const { rows: audit } = await db.pool.query(
      "select subject_id, old_values, new_values from autoexec.audit_events where action = 'action_type.updated' and subject_id = 'ADD_AFFILIATE_LINK'",
    );
    expect(audit).toEqual([
      { subject_id: "ADD_AFFILIATE_LINK", old_values: { daily_cap: null }, new_values: { daily_cap: 5 } },
    ]);
  });

  it("per-type mode changes are checked and explained", async () => {
    await expect(
      asAdmin("alice", (client) =>
        client.query("select autoexec.set_action_type_mode('REMOVE_CONTENT', 'live')"),
      ),
    ).rejects.toThrow(/cannot set REMOVE_CONTENT to mode live .*Tier 3 types are always disabled/);
    await expect(
      asAdmin("alice", (client) => client.query("select autoexec.set_action_type_mode('NOPE', 'live')")),
    ).rejects.toThrow(/unknown action type "NOPE"/);
    const { rows } = await asAdmin("alice", (client) =>
      client.query(
        "select mode, daily_cap from autoexec.set_action_type_mode('ADD_TO_COLLECTION', 'dry_run', 2)",
      ),
    );
    expect(rows[0]).toEqual({ mode: "dry_run", daily_cap: 2 });
  });
});
