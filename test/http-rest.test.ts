import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { ExecuteResponse, RollbackResponse, StatsResponse } from "../src/http/schemas.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, getAction, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { createTestApi, type TestApi } from "./support/http.ts";

const EXECUTE = "/api/monetization/execute";
const ROLLBACK = "/api/monetization/execute/rollback";
const STATS = "/api/monetization/execution/stats";
/** Every kind of SQL metacharacter, which must be stored exactly as sent. */
const NASTY = `Robert'); drop table autoexec.actions; -- "quoted" \\ 100% _ $1 $$ \u00e9`;

/** A handler that throws: the engine's failure path, for real (the worker tests do the same). */
const brokenLink: ActionHandler = {
  ...(handlers.get("ADD_AFFILIATE_LINK") as ActionHandler),
  async execute() {
    throw new Error("the affiliate network is down");
  },
};

let db: TestDatabase;
let api: TestApi;
let broken: TestApi;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await createTestApi(db);
  broken = await createTestApi(db, { handlers: new Map([...handlers, ["ADD_AFFILIATE_LINK", brokenLink]]) });
});
afterAll(async () => {
  await broken?.close();
  await api?.close();
  await db?.drop();
});
beforeEach(async () => {
  await goLive(db.pool);
});

async function execute(body: unknown, token?: string, on = api) {
  return on.rest("POST", EXECUTE, { body, token });
}

/** The audit events of an action's forced executions (or of its failed forced attempts). */
async function forceEvents(actionId: number, action = "action.force_executed") {
  const { rows } = await db.pool.query(
    `select actor, note, new_values from autoexec.audit_events
     where action = $2 and subject_id = $1 order by id`,
    [String(actionId), action],
  );
  return rows;
}

async function logsOf(actionId: number) {
  const { rows } = await db.pool.query(
    "select id, executed_by, mode, success from autoexec.execution_logs where action_id = $1 order by id",
    [actionId],
  );
  return rows;
}

describe("POST /api/monetization/execute", () => {
  it("executes an eligible action now and returns its execution log", async () => {
    const modId = await insertMod(db.pool);
    const actionId = await insertAction(db.pool, { data: amazonLink(modId, "B0NOW") });
    const answer = await execute({ actionId: String(actionId) });
    expect(answer.status).toBe(200);
    const body = ExecuteResponse.parse(answer.body);
    expect(body).toMatchObject({
      success: true,
      executionLog: {
        actionId,
        actionType: "ADD_AFFILIATE_LINK",
        executedBy: "auto",
        mode: "live",
        success: true,
      },
    });
    expect(body.executionLog?.rollbackData).toMatchObject({ modId });
    expect((await getAction(db.pool, actionId)).status).toBe("EXECUTED");
    const { rows } = await db.pool.query("select affiliate_links from content.mods where id = $1", [modId]);
    expect(rows[0].affiliate_links).toHaveLength(1);
  });

  it("refuses an action the guards hold back (409, with the reason) unless an admin forces it", async () => {
    const actionId = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool)),
      confidence: 0.5,
    });
    const refused = await execute({ actionId });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ success: false, decision: "wait" });
    expect(refused.body.error).toMatch(/confidence 0.5 is not above the minimum 0.7/);
    expect(await logsOf(actionId)).toEqual([]);

    const reason = `the agent is too modest here; ${NASTY}`;
    const forced = await execute({ actionId, force: true, reason }, await api.token("admin", NASTY));
    expect(forced.status).toBe(200);
    expect(ExecuteResponse.parse(forced.body).executionLog).toMatchObject({
      executedBy: NASTY,
      success: true,
      forced: true,
      forceReason: reason,
    });
    expect(await forceEvents(actionId)).toEqual([
      {
        actor: NASTY,
        note: reason,
        new_values: { status: "EXECUTED", mode: "live", executionLogId: forced.body.executionLog.id },
      },
    ]);
  });

  it("needs a reason to force, and changes nothing without one", async () => {
    const actionId = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool)),
      confidence: 0.5,
    });
    for (const body of [
      { actionId, force: true },
      { actionId, force: true, reason: "   " },
      { actionId, force: true, reason: "x".repeat(2001) },
    ]) {
      const answer = await execute(body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/reason/);
    }
    expect(await logsOf(actionId)).toEqual([]);
    expect(await forceEvents(actionId)).toEqual([]);
    // Without force a reason is not needed, and the execution is not marked forced.
    const unforced = await execute({
      actionId: await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) }),
    });
    expect(unforced.body.executionLog).toMatchObject({ forced: false, forceReason: null });
  });

  it("forced, runs a pending Tier 2 action and records the admin as the one who approved it", async () => {
    const modId = await insertMod(db.pool, { body: "Body." });
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "## More\nText." },
    });
    expect((await execute({ actionId })).body).toMatchObject({ decision: "skip" });
    const forced = await execute(
      { actionId, force: true, reason: "launch day, reviewed on the call" },
      await api.token("admin", "carol"),
    );
    expect(forced.status).toBe(200);
    expect(forced.body.executionLog).toMatchObject({ executedBy: "carol", mode: "live", forced: true });
    const { rows } = await db.pool.query(
      "select status, reviewed_by, reviewed_at is not null as reviewed, review_note from autoexec.actions where id = $1",
      [actionId],
    );
    expect(rows[0]).toEqual({
      status: "EXECUTED",
      reviewed_by: "carol",
      reviewed: true,
      review_note: "forced: launch day, reviewed on the call",
    });
    expect(await forceEvents(actionId)).toEqual([
      {
        actor: "carol",
        note: "launch day, reviewed on the call",
        new_values: {
          status: "EXECUTED",
          mode: "live",
          executionLogId: forced.body.executionLog.id,
          approvedBy: "carol",
        },
      },
    ]);
    const notice = await db.pool.query(
      "select payload ->> 'approvedBy' as by from autoexec.notifications where kind = 'tier2_executed' and payload ->> 'actionId' = $1",
      [String(actionId)],
    );
    expect(notice.rows).toEqual([{ by: "carol" }]);
  });

  it("forced, overrides the guards but not the switch or a disabled type; a dry run stays a dry run; never Tier 3", async () => {
    const reason = "checking by hand";
    await db.pool.query("update autoexec.settings set enabled = false, dry_run = false");
    const linkId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const off = await execute({ actionId: linkId, force: true, reason });
    expect(off.status).toBe(409);
    expect(off.body.error).toMatch(/switched off.*force does not override/);
    expect(await logsOf(linkId)).toEqual([]);

    await db.pool.query("update autoexec.settings set enabled = true");
    await db.pool.query(
      "update autoexec.action_types set mode = 'disabled' where type = 'ADD_AFFILIATE_LINK'",
    );
    try {
      const disabled = await execute({ actionId: linkId, force: true, reason });
      expect(disabled.status).toBe(409);
      expect(disabled.body.error).toMatch(/ADD_AFFILIATE_LINK is disabled.*force does not override/);
    } finally {
      await db.pool.query("update autoexec.action_types set mode = 'live' where type = 'ADD_AFFILIATE_LINK'");
    }
    expect(await logsOf(linkId)).toEqual([]);

    await db.pool.query("update autoexec.settings set dry_run = true");
    const dry = await execute({ actionId: linkId, force: true, reason }, await api.token("admin", "dave"));
    expect(dry.status).toBe(200);
    expect(dry.body.executionLog).toMatchObject({
      mode: "dry_run",
      executedBy: "dave",
      forced: true,
      forceReason: reason,
    });
    expect((await getAction(db.pool, linkId)).status).toBe("PENDING");
    expect(await forceEvents(linkId)).toEqual([
      {
        actor: "dave",
        note: reason,
        new_values: { status: "PENDING", mode: "dry_run", executionLogId: dry.body.executionLog.id },
      },
    ]);

    const tier3 = await insertAction(db.pool, { type: "REMOVE_CONTENT", data: { modId: 1 } });
    for (const body of [{ actionId: tier3 }, { actionId: tier3, force: true, reason }]) {
      const answer = await execute(body);
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatch(/Tier 3.*with or without force/);
    }
    expect((await getAction(db.pool, tier3)).status).toBe("PENDING");
    expect(await logsOf(tier3)).toEqual([]);
  });

  it("forced and failing: the failed attempt's log and audit event say it was forced and why", async () => {
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const answer = await execute({ actionId, force: true, reason: "retry now" }, undefined, broken);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false });
    expect(answer.body.executionLog).toMatchObject({
      success: false,
      forced: true,
      forceReason: "retry now",
    });
    expect(await forceEvents(actionId, "action.force_failed")).toEqual([
      {
        actor: "alice",
        note: "retry now",
        new_values: {
          status: "PENDING",
          mode: "live",
          executionLogId: answer.body.executionLog.id,
          error: "the affiliate network is down",
        },
      },
    ]);
  });

  it("dry-runs when dry run is on, and says so in the log", async () => {
    await db.pool.query("update autoexec.settings set dry_run = true");
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const answer = await execute({ actionId });
    expect(answer.status).toBe(200);
    expect(answer.body.executionLog).toMatchObject({ mode: "dry_run", success: true });
    expect((await getAction(db.pool, actionId)).status).toBe("PENDING");
  });

  it("answers 404 for an unknown action, 409 for a finished one, 422 for data its handler refuses", async () => {
    expect((await execute({ actionId: 987_654 })).status).toBe(404);
    const done = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    expect((await execute({ actionId: done })).status).toBe(200);
    const again = await execute({ actionId: done, force: true, reason: "once more" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ decision: "skip", error: "action is EXECUTED" });

    const bad = await insertAction(db.pool, { data: { modId: "not a number" } });
    const refused = await execute({ actionId: bad });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatch(/modId/);
    expect((await getAction(db.pool, bad)).status).toBe("INVALID");
  });

  it("reports a handler that fails: success false, the failed log, and the engine retries later", async () => {
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    const answer = await execute({ actionId }, undefined, broken);
    expect(answer.status).toBe(200);
    const body = ExecuteResponse.parse(answer.body);
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/the affiliate network is down/);
    expect(body.executionLog).toMatchObject({ success: false, attempt: 1 });
    expect(await getAction(db.pool, actionId)).toMatchObject({ status: "PENDING", execution_attempts: 1 });
    expect(answer.text).not.toMatch(/\.ts:\d+/);
  });

  it("is for admins only: a viewer's request, forced or not, changes nothing", async () => {
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    for (const force of [false, true]) {
      const answer = await execute({ actionId, force, reason: "viewer" }, await api.token("viewer"));
      expect(answer.status).toBe(403);
    }
    expect(await logsOf(actionId)).toEqual([]);
  });
});

describe("POST /api/monetization/execute/rollback", () => {
  async function executed(data: Record<string, unknown>, type?: string) {
    const actionId = await insertAction(db.pool, { type, data });
    const answer = await execute({ actionId });
    expect(answer.status).toBe(200);
    return { actionId, logId: answer.body.executionLog.id as number };
  }

  it("undoes an execution, records who and why verbatim, and refuses a second time", async () => {
    const modId = await insertMod(db.pool);
    const { actionId, logId } = await executed(amazonLink(modId, "B0UNDO"));
    const answer = await api.rest("POST", ROLLBACK, {
      body: { executionLogId: logId, reason: NASTY },
      token: await api.token("admin", "carol"),
    });
    expect(answer.status).toBe(200);
    expect(RollbackResponse.parse(answer.body)).toEqual({
      success: true,
      executionLogId: logId,
      actionId,
      forced: false,
      conflicts: [],
    });
    const { rows } = await db.pool.query(
      "select rolled_back_by, rollback_reason from autoexec.execution_logs where id = $1",
      [logId],
    );
    expect(rows[0]).toEqual({ rolled_back_by: "carol", rollback_reason: NASTY });
    expect((await getAction(db.pool, actionId)).status).toBe("ROLLED_BACK");
    const mod = await db.pool.query("select affiliate_links from content.mods where id = $1", [modId]);
    expect(mod.rows[0].affiliate_links).toEqual([]);
    const audit = await db.pool.query(
      "select actor, note from autoexec.audit_events where action = 'execution.rolled_back' and subject_id = $1",
      [String(actionId)],
    );
    expect(audit.rows).toEqual([{ actor: "carol", note: NASTY }]);

    const again = await api.rest("POST", ROLLBACK, { body: { executionLogId: logId, reason: "again" } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already rolled back .* by carol/);
  });

  it("refuses over a conflicting edit with the conflicts listed; forced, refuses to report an undo that changes nothing", async () => {
    const modId = await insertMod(db.pool, { metaDescription: "Before." });
    const { logId, actionId } = await executed(
      { modId, metaDescription: "From the engine." },
      "UPDATE_META_DESCRIPTION",
    );
    await db.pool.query("update content.mods set meta_description = 'An editor wrote this.' where id = $1", [
      modId,
    ]);

    const refused = await api.rest("POST", ROLLBACK, { body: { executionLogId: logId, reason: "bad copy" } });
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts.length).toBeGreaterThan(0);
    expect(refused.body.error).toMatch(/changed since execution/);

    const forced = await api.rest("POST", ROLLBACK, {
      body: { executionLogId: logId, reason: "bad copy", force: true },
    });
    // The editor's text replaced the engine's: a forced rollback would change nothing, so it is no success.
    expect(forced.status).toBe(409);
    expect(forced.body).toMatchObject({
      success: false,
      error: `rolling back execution ${logId} would change nothing: the content it changed has been replaced since`,
      conflicts: refused.body.conflicts,
    });
    expect((await getAction(db.pool, actionId)).status).toBe("EXECUTED");
    const { rows } = await db.pool.query("select meta_description from content.mods where id = $1", [modId]);
    expect(rows[0].meta_description).toBe("An editor wrote this.");
  });

  it("answers 404 for an unknown execution and 409 for a dry run", async () => {
    expect(
      (await api.rest("POST", ROLLBACK, { body: { executionLogId: 987_654, reason: "x" } })).status,
    ).toBe(404);
    await db.pool.query("update autoexec.settings set dry_run = true");
    const { logId } = await executed(amazonLink(await insertMod(db.pool)));
    const answer = await api.rest("POST", ROLLBACK, { body: { executionLogId: logId, reason: "x" } });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatch(/dry run/);
  });
});

describe("errors", () => {
  it("masks an unexpected database error: 500, a reference, no SQL or stack", async () => {
    // Break the execution log for real: every insert divides by zero.
    await db.pool.query(`
      create function autoexec_private.tg_broken() returns trigger language plpgsql as
        $$ begin perform 1 / 0; return new; end $$;
      create trigger _999_broken before insert on autoexec.execution_logs
        for each row execute function autoexec_private.tg_broken();`);
    try {
      const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      const answer = await execute({ actionId });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        success: false,
        error: expect.stringMatching(
          /^internal error \(reference [0-9a-f]{8}\); the server log has the details$/,
        ),
      });
      expect(answer.text).not.toMatch(/division|zero|tg_broken|insert|\.ts:/i);
    } finally {
      await db.pool.query(
        "drop trigger _999_broken on autoexec.execution_logs; drop function autoexec_private.tg_broken()",
      );
    }
  });
});

describe("errors by code", () => {
  /** Makes every execution log insert raise `raise exception <raised>`, for the length of `run`. */
  async function withFailingLogInsert(raised: string, run: () => Promise<void>): Promise<void> {
    await db.pool.query(`
      create function autoexec_private.tg_broken() returns trigger language plpgsql as
        $$ begin raise exception ${raised}; end $$;
      create trigger _999_broken before insert on autoexec.execution_logs
        for each row execute function autoexec_private.tg_broken();`);
    try {
      await run();
    } finally {
      await db.pool.query(
        "drop trigger _999_broken on autoexec.execution_logs; drop function autoexec_private.tg_broken()",
      );
    }
  }

  it("an engine code (docs/errors.md) keeps its message and its status", async () => {
    await withFailingLogInsert(
      "'refused for a reason a person may read' using errcode = 'AE005'",
      async () => {
        const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
        const answer = await execute({ actionId });
        expect({ status: answer.status, body: answer.body }).toEqual({
          status: 409,
          body: { success: false, error: "refused for a reason a person may read" },
        });
      },
    );
  });

  for (const code of ["P0001", "55000", "22023", "P0002"]) {
    it(`a raise without an engine code (${code}) is internal: 500 and a reference, not its message`, async () => {
      await withFailingLogInsert(`'internal detail of tg_broken' using errcode = '${code}'`, async () => {
        const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
        const answer = await execute({ actionId });
        expect(answer.status).toBe(500);
        expect(answer.body.error).toMatch(/^internal error \(reference [0-9a-f]{8}\)/);
        expect(answer.text).not.toMatch(/internal detail|tg_broken/);
      });
    });
  }
});

describe("GET /api/openapi.json", () => {
  it("documents the PRD's three routes and the public ones, with the schemas that validate them", async () => {
    const answer = await api.rest("GET", "/api/openapi.json", { token: null });
    expect(answer.status).toBe(200);
    const doc = answer.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      ["/api/openapi.json", "/healthz", "/metrics", "/readyz", EXECUTE, ROLLBACK, STATS].sort(),
    );
    expect(doc.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    const operations = Object.values(doc.paths).flatMap((path) => Object.values(path as object));
    const ids = operations.map((operation: { operationId: string }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    // Each authenticated route documents the errors every such route can answer.
    for (const path of [EXECUTE, ROLLBACK, STATS]) {
      const operation = Object.values(doc.paths[path])[0] as { responses: Record<string, unknown> };
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(["400", "401", "403", "500", "503"]),
      );
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      "Error",
      "ExecuteRequest",
      "ExecuteResponse",
      "ExecutionLog",
      "ExecutionStats",
      "RollbackRequest",
      "RollbackResponse",
    ]);
    const request = doc.components.schemas.ExecuteRequest;
    expect(request.required).toEqual(["actionId"]);
    expect(Object.keys(request.properties)).toEqual(["actionId", "force", "reason"]);
    expect(doc.paths[STATS].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      "from",
      "to",
      "recent",
    ]);
    expect(JSON.stringify(doc)).not.toMatch(/__shared|"\$id"/);
    expect(doc.components.securitySchemes.bearer).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });
});

describe("GET /api/monetization/execution/stats", () => {
  it("answers admins and viewers in the documented shape", async () => {
    for (const role of ["admin", "viewer"]) {
      const answer = await api.rest("GET", `${STATS}?recent=5`, { token: await api.token(role) });
      expect(answer.status).toBe(200);
      const stats = StatsResponse.parse(answer.body);
      expect(stats.recentExecutions.length).toBeLessThanOrEqual(5);
      expect(stats.recentExecutions.length).toBeGreaterThan(0);
    }
  });

  it("refuses a bad range or limit with a message", async () => {
    const cases = [
      [`${STATS}?from=yesterday`, /from/],
      [`${STATS}?recent=500`, /recent/],
      [`${STATS}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, /must start before it ends/],
      [`${STATS}?unknown=1`, /unknown/i],
    ] as const;
    for (const [path, message] of cases) {
      const answer = await api.rest("GET", path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error).toMatch(message);
    }
  });
});
