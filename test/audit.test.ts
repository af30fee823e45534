import type pg from "pg";
import { describe, expect, it } from "vitest";
import { executeAction } from "../src/engine/executor.ts";
import { rollbackExecution } from "../src/engine/rollback.ts";
import { handlers } from "../src/handlers/index.ts";
import { databaseForTests } from "./support/db.ts";
import { insertExecutionLog } from "./support/execution-logs.ts";
import {
  amazonLink,
  backdateExecutions,
  goLive,
  insertAction,
  insertMod,
  minutesAgo,
} from "./support/fixtures.ts";
import { type AppRole, asRole, signedIn } from "./support/roles.ts";

// Every test gets a fresh database, so the audit trail starts empty.
const db = databaseForTests({ each: true });

const APP_ROLES: AppRole[] = ["autoexec_agent", "autoexec_admin", "autoexec_viewer", "autoexec_auditor"];
const deps = () => ({ pool: db.pool, handlers, log: db.log });

/** Runs one statement as an admin signed in to the API as `sub`. */
const asAdmin = (sub: string, sql: string, params: unknown[] = []) =>
  asRole(db.pool, "autoexec_admin", sub, (client) => client.query(sql, params));

interface AuditEvent {
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  old_values: unknown;
  new_values: unknown;
  note: string | null;
}

/** The audit trail, oldest first; only about one kind of subject when given. */
async function auditEvents(subjectType?: string): Promise<AuditEvent[]> {
  const { rows } = await db.pool.query<AuditEvent & { occurred_at: Date }>(
    `select actor, action, subject_type, subject_id, old_values, new_values, note, occurred_at
     from autoexec.audit_events where $1::text is null or subject_type = $1 order by id`,
    [subjectType ?? null],
  );
  for (const row of rows) expect(row.occurred_at).toBeInstanceOf(Date);
  return rows.map(({ occurred_at: _, ...event }) => event);
}

/** An audit event about an action, as the engine writes it. */
const actionEvent = (
  id: number,
  fields: Pick<AuditEvent, "actor" | "action" | "old_values" | "new_values"> & { note?: string | null },
): AuditEvent => ({ subject_type: "action", subject_id: String(id), note: null, ...fields });

async function proposeExpansion(): Promise<number> {
  const modId = await insertMod(db.pool, { body: "Original body." });
  return insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId, content: "More words." } });
}

/** A Tier 1 affiliate link the engine executed live; returns the action and its execution log. */
async function executedLink(): Promise<{ actionId: number; logId: number }> {
  await goLive(db.pool);
  const actionId = await insertAction(db.pool, {
    data: amazonLink(await insertMod(db.pool)),
    rateLimitKey: "mod:1",
  });
  const outcome = await executeAction(deps(), actionId);
  if (outcome.outcome !== "executed") throw new Error(`not executed: ${JSON.stringify(outcome)}`);
  return { actionId, logId: outcome.executionLogId };
}

const rollback = (executionLogId: number, actor: string, reason: string) =>
  rollbackExecution(deps(), { executionLogId, reason, actor });

describe("audit events record who did what, with old and new values", () => {
  it("an approval", async () => {
    const id = await proposeExpansion();
    await asAdmin("alice", "select autoexec.approve_action($1, 'reads well')", [id]);
    expect(await auditEvents()).toEqual([
      actionEvent(id, {
        actor: "alice",
        action: "action.approved",
        old_values: { status: "PENDING" },
        new_values: { status: "APPROVED" },
        note: "reads well",
      }),
    ]);
  });

  it("a rejection", async () => {
    const id = await proposeExpansion();
    await asAdmin("bob", "select autoexec.reject_action($1, 'off-brand tone')", [id]);
    expect(await auditEvents()).toEqual([
      actionEvent(id, {
        actor: "bob",
        action: "action.rejected",
        old_values: { status: "PENDING" },
        new_values: { status: "REJECTED" },
        note: "off-brand tone",
      }),
    ]);
  });

  it("a settings change, with only the columns that changed; a change to nothing records nothing", async () => {
    const update = (sql: string) => signedIn(db.pool, "alice", (client) => client.query(sql));
    await update("update autoexec.settings set hourly_limit = 5, dry_run = false, min_confidence = 0.7");
    await update("update autoexec.settings set hourly_limit = 5");
    expect(await auditEvents()).toEqual([
      {
        actor: "alice",
        action: "settings.updated",
        subject_type: "settings",
        subject_id: null,
        old_values: { dry_run: true, hourly_limit: 10 },
        new_values: { dry_run: false, hourly_limit: 5 },
        note: null,
      },
    ]);
  });

  it("a per-type mode change", async () => {
    await asAdmin("alice", "select autoexec.set_action_type_mode('ADD_TO_COLLECTION', 'dry_run', 2)");
    expect(await auditEvents()).toEqual([
      {
        actor: "alice",
        action: "action_type.updated",
        subject_type: "action_type",
        subject_id: "ADD_TO_COLLECTION",
        old_values: { mode: "live", daily_cap: null },
        new_values: { mode: "dry_run", daily_cap: 2 },
        note: null,
      },
    ]);
  });

  it("the circuit breaker opened by the engine and reset by an admin", async () => {
    await backdateExecutions(
      db.pool,
      Array.from({ length: 10 }, () => minutesAgo(5)),
      { success: false },
    );
    const { rows } = await db.pool.query("select autoexec_private.evaluate_circuit_breaker() as opened");
    expect(rows[0].opened).toBe(true);
    await asAdmin("bob", "select autoexec.reset_circuit_breaker('the outage is over')");
    const breaker = { subject_type: "circuit_breaker", subject_id: null };
    expect(await auditEvents()).toEqual([
      {
        ...breaker,
        actor: "engine",
        action: "breaker.opened",
        old_values: { open: false },
        new_values: { open: true },
        note: "10 of the last 10 executions failed (100% > 20%)",
      },
      {
        ...breaker,
        actor: "bob",
        action: "breaker.reset",
        old_values: { open: true },
        new_values: { open: false, probes: 3 },
        note: "the outage is over",
      },
    ]);
  });

  it("a rollback", async () => {
    const { actionId, logId } = await executedLink();
    expect(await rollback(logId, "carol", "wrong product")).toMatchObject({ success: true });
    expect(await auditEvents("action")).toEqual([
      actionEvent(actionId, {
        actor: "carol",
        action: "execution.rolled_back",
        old_values: { status: "EXECUTED" },
        new_values: { status: "ROLLED_BACK", executionLogId: logId, forced: false },
        note: "wrong product",
      }),
    ]);
  });

  it("a forced execution, which is also logged as executed by the admin, with the reason", async () => {
    const id = await proposeExpansion(); // Tier 2, not approved
    await goLive(db.pool); // force does not override the switch
    const before = (await auditEvents()).length; // going live is audited too
    await expect(executeAction(deps(), id, { force: true, actor: "alice" })).rejects.toThrow(
      /needs a reason/,
    );
    const outcome = await executeAction(deps(), id, { force: true, actor: "alice", reason: "launch day" });
    expect(outcome).toMatchObject({ outcome: "executed", mode: "live" });
    const logId = outcome.outcome === "executed" ? outcome.executionLogId : undefined;
    expect((await auditEvents()).slice(before)).toEqual([
      actionEvent(id, {
        actor: "alice",
        action: "action.force_executed",
        old_values: { status: "PENDING" },
        new_values: { status: "EXECUTED", mode: "live", executionLogId: logId, approvedBy: "alice" },
        note: "launch day",
      }),
    ]);
    const { rows } = await db.pool.query("select id, executed_by, force_reason from autoexec.execution_logs");
    expect(rows).toEqual([{ id: logId, executed_by: "alice", force_reason: "launch day" }]);
  });

  it("a manual implementation", async () => {
    const id = await insertAction(db.pool, { type: "CHANGE_URL", data: { from: "/a", to: "/b" } });
    await asAdmin("alice", "select autoexec.mark_action_implemented($1, 'redirect added in nginx')", [id]);
    expect(await auditEvents()).toEqual([
      actionEvent(id, {
        actor: "alice",
        action: "action.implemented",
        old_values: { status: "PENDING" },
        new_values: { status: "IMPLEMENTED" },
        note: "redirect added in nginx",
      }),
    ]);
  });
});

describe("audit events and execution logs are append-only", () => {
  const LOG_APPEND_ONLY =
    "autoexec.execution_logs is append-only: only a rollback or a purge of rollback data may change a row";

  /** The error message of `sql`, or "done" when it succeeded (it is rolled back either way). */
  async function attempt(sql: string, params: unknown[] = []): Promise<string> {
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query(sql, params);
      return "done";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.query("rollback");
      client.release();
    }
  }

  it("nobody, not even the superuser, can update or delete an audit event", async () => {
    const { rows } = await db.pool.query("select rolsuper from pg_roles where rolname = current_user");
    expect(rows[0].rolsuper).toBe(true);
    await asAdmin("alice", "select autoexec.approve_action($1)", [await proposeExpansion()]);
    const before = await auditEvents();

    expect(await attempt("update autoexec.audit_events set actor = 'mallory'")).toBe(
      "autoexec.audit_events is append-only: rows cannot be updated",
    );
    expect(await attempt("delete from autoexec.audit_events")).toBe(
      "autoexec.audit_events is append-only: rows cannot be deleted",
    );
    expect(await auditEvents()).toEqual(before);
  });

  it("nobody can delete an execution log", async () => {
    await executedLink();
    expect(await attempt("delete from autoexec.execution_logs")).toBe(
      "autoexec.execution_logs is append-only: rows cannot be deleted",
    );
  });

  it("no column of an execution log but the rollback ones can be changed", async () => {
    const { logId } = await executedLink();
    // A different value for every column that records what happened.
    const changes: Record<string, string> = {
      id: "default",
      action_id: "action_id + 1",
      action_type: "'UPDATE_META_DESCRIPTION'",
      execution_tier: "2",
      rate_limit_key: "'mod:2'",
      executed_at: "executed_at - interval '1 day'",
      executed_by: "'mallory'",
      mode: "'dry_run'",
      attempt: "attempt + 1",
      input_data: `'{"forged": true}'`,
      output_data: `'{"forged": true}'`,
      diff: `'{"forged": true}'`,
      success: "not success",
      error_message: "'forged'",
      duration_ms: "duration_ms + 1",
      allowance: "'confident'",
      force_reason: "'forged'",
    };
    const { rows } = await db.pool.query(
      `select column_name from information_schema.columns
       where table_schema = 'autoexec' and table_name = 'execution_logs'
         and column_name not in ('rollback_data', 'rollback_data_purged_at', 'rolled_back_at', 'rolled_back_by',
           'rollback_reason', 'rollback_forced')
       order by column_name`,
    );
    expect(Object.keys(changes).sort()).toEqual(rows.map((row) => row.column_name));

    const outcomes: Record<string, string> = {};
    for (const [column, value] of Object.entries(changes)) {
      outcomes[column] = await attempt(
        `update autoexec.execution_logs set ${column} = ${value} where id = $1`,
        [logId],
      );
    }
    expect(outcomes).toEqual(
      Object.fromEntries(Object.keys(changes).map((column) => [column, LOG_APPEND_ONLY])),
    );
  });

  it("the rollback columns are set once; rollback data can only be purged", async () => {
    const { logId } = await executedLink();
    expect(await rollback(logId, "carol", "wrong product")).toMatchObject({ success: true });
    const change = (assignment: string) =>
      attempt(`update autoexec.execution_logs set ${assignment} where id = $1`, [logId]);

    expect({
      rolled_back_at: await change("rolled_back_at = rolled_back_at + interval '1 second'"),
      rolled_back_by: await change("rolled_back_by = 'mallory'"),
      rollback_reason: await change("rollback_reason = 'nothing happened'"),
      rollback_forced: await change("rollback_forced = true"),
      rollback_data: await change(`rollback_data = '{"forged": true}'`),
    }).toEqual({
      rolled_back_at: LOG_APPEND_ONLY,
      rolled_back_by: LOG_APPEND_ONLY,
      rollback_reason: LOG_APPEND_ONLY,
      rollback_forced: LOG_APPEND_ONLY,
      rollback_data: LOG_APPEND_ONLY,
    });

    // A purge is the one change left, and it too happens once.
    await db.pool.query(
      "update autoexec.execution_logs set rollback_data = null, rollback_data_purged_at = now() where id = $1",
      [logId],
    );
    expect(await change("rollback_data_purged_at = rollback_data_purged_at + interval '1 second'")).toBe(
      LOG_APPEND_ONLY,
    );
    expect(await change("rollback_data = '{}'")).toBe(LOG_APPEND_ONLY);
  });

  it("no application role has the privilege to update, delete or truncate either table", async () => {
    const { rows } = await db.pool.query(
      `select role, tbl, privilege
       from unnest($1::text[]) role, unnest(array['autoexec.audit_events', 'autoexec.execution_logs']) tbl,
         unnest(array['UPDATE', 'DELETE', 'TRUNCATE']) privilege
       where has_table_privilege(role, tbl, privilege)
         or (privilege = 'UPDATE' and has_any_column_privilege(role, tbl, privilege))`,
      [APP_ROLES],
    );
    expect(rows).toEqual([]);
    // The checks above can see a privilege: the auditor does read both.
    const { rows: reads } = await db.pool.query(
      `select has_table_privilege('autoexec_auditor', 'autoexec.audit_events', 'SELECT') as audit,
         has_table_privilege('autoexec_auditor', 'autoexec.execution_logs', 'SELECT') as logs`,
    );
    expect(reads[0]).toEqual({ audit: true, logs: true });
    await expect(asAdmin("alice", "delete from autoexec.audit_events")).rejects.toThrow(
      "permission denied for table audit_events",
    );
  });
});

describe("views for DBAs", () => {
  /** Runs `sql` with the session in UTC, so that days are UTC days. */
  async function inUtc(sql: string, params: unknown[] = []) {
    const client = await db.pool.connect();
    try {
      await client.query("set time zone 'UTC'");
      return (await client.query(sql, params)).rows;
    } finally {
      await client.query("reset time zone");
      client.release();
    }
  }

  it("daily_executions counts executions per day, type, tier, mode and outcome", async () => {
    const at = (iso: string) => new Date(iso);
    const link = { type: "ADD_AFFILIATE_LINK" };
    const rolledBack = { at: at("2026-03-11T09:00:00Z"), by: "carol", reason: "wrong product" };
    for (const log of [
      { ...link, executedAt: at("2026-03-10T00:00:00Z"), durationMs: 10 },
      { ...link, executedAt: at("2026-03-10T12:00:00Z"), durationMs: 21 },
      { ...link, executedAt: at("2026-03-10T13:00:00Z"), durationMs: 5, success: false },
      { ...link, executedAt: at("2026-03-10T14:00:00Z"), durationMs: 8, rolledBack },
      { ...link, executedAt: at("2026-03-10T23:59:59Z"), durationMs: 4, mode: "dry_run" as const },
      { type: "EXPAND_CONTENT", executedAt: at("2026-03-10T15:00:00Z"), durationMs: 30 },
      { ...link, executedAt: at("2026-03-11T00:00:00Z"), durationMs: 6 },
      { type: "EXPAND_CONTENT", executedAt: at("2026-03-11T08:00:00Z"), durationMs: 7, success: false },
      { type: "EXPAND_CONTENT", executedAt: at("2026-03-11T09:00:00Z"), durationMs: 9, success: false },
    ]) {
      await insertExecutionLog(db.pool, log);
    }

    const rows = await inUtc(
      `select day, action_type, execution_tier, mode, outcome, executions, avg_duration_ms
       from autoexec.daily_executions order by day, action_type, mode, outcome`,
    );
    const row = (
      day: string,
      type: string,
      tier: number,
      mode: string,
      outcome: string,
      n: number,
      avg: number,
    ) => ({
      day: at(`${day}T00:00:00Z`),
      action_type: type,
      execution_tier: tier,
      mode,
      outcome,
      executions: n,
      avg_duration_ms: avg,
    });
    expect(rows).toEqual([
      row("2026-03-10", "ADD_AFFILIATE_LINK", 1, "dry_run", "succeeded", 1, 4),
      row("2026-03-10", "ADD_AFFILIATE_LINK", 1, "live", "failed", 1, 5),
      row("2026-03-10", "ADD_AFFILIATE_LINK", 1, "live", "rolled_back", 1, 8),
      row("2026-03-10", "ADD_AFFILIATE_LINK", 1, "live", "succeeded", 2, 16), // (10 + 21) / 2 = 15.5
      row("2026-03-10", "EXPAND_CONTENT", 2, "live", "succeeded", 1, 30),
      row("2026-03-11", "ADD_AFFILIATE_LINK", 1, "live", "succeeded", 1, 6),
      row("2026-03-11", "EXPAND_CONTENT", 2, "live", "failed", 2, 8),
    ]);
  });

  it("action_history gives an action's whole story in one query, in time order", async () => {
    await goLive(db.pool);
    const modId = await insertMod(db.pool, { body: "Original body." });
    const data = { modId, content: "More words." };
    const id = await asRole(db.pool, "autoexec_agent", "agent", (client) =>
      insertAction(client, { type: "EXPAND_CONTENT", data, confidence: 0.8, impact: 3 }),
    );
    const other = await proposeExpansion();
    await asAdmin("alice", "select autoexec.approve_action($1, 'reads well')", [id]);
    await asAdmin("alice", "select autoexec.approve_action($1)", [other]);
    const outcome = await executeAction(deps(), id);
    if (outcome.outcome !== "executed") throw new Error(`not executed: ${JSON.stringify(outcome)}`);
    const logId = outcome.executionLogId;
    expect(await rollback(logId, "bob", "tone is off")).toMatchObject({ success: true });

    const { rows } = await db.pool.query(
      "select event, actor, details from autoexec.action_history where action_id = $1 order by at",
      [id],
    );
    expect(rows).toEqual([
      {
        event: "proposed",
        actor: "autoexec_agent",
        details: {
          type: "EXPAND_CONTENT",
          tier: 2,
          confidence: 0.8,
          estimatedRevenueImpact: 3,
          actionData: data,
        },
      },
      {
        event: "action.approved",
        actor: "alice",
        details: { note: "reads well", old: { status: "PENDING" }, new: { status: "APPROVED" } },
      },
      {
        event: "executed",
        actor: "approved",
        details: {
          executionLogId: logId,
          attempt: 1,
          output: { modId, placement: "end", addedCharacters: data.content.length },
          durationMs: expect.any(Number),
        },
      },
      {
        event: "rolled_back",
        actor: "bob",
        details: { executionLogId: logId, reason: "tone is off", forced: false },
      },
    ]);
  });
});

describe("the autoexec_auditor role", () => {
  const READABLE = [
    "autoexec.action_history",
    "autoexec.audit_events",
    "autoexec.daily_executions",
    "autoexec.execution_logs",
  ];

  it("can read exactly the execution logs, audit events and the two views, and change nothing", async () => {
    const { rows } = await db.pool.query<{
      relation: string;
      kind: string;
      readable: boolean;
      writable: boolean;
    }>(
      `select format('%s.%s', n.nspname, c.relname) as relation, c.relkind::text as kind,
         has_table_privilege('autoexec_auditor', c.oid, 'SELECT') as readable,
         has_table_privilege('autoexec_auditor', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           or has_any_column_privilege('autoexec_auditor', c.oid, 'INSERT, UPDATE, REFERENCES') as writable
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('autoexec', 'content') and c.relkind in ('r', 'p', 'v', 'm', 'f')
       order by 1`,
    );
    // Every table and view is looked at, in both schemas.
    expect(rows.filter((row) => row.relation.startsWith("content.")).length).toBeGreaterThan(0);
    expect(rows.some((row) => row.kind === "v")).toBe(true);
    expect(rows.filter((row) => row.readable).map((row) => row.relation)).toEqual(READABLE);
    expect(rows.filter((row) => row.writable)).toEqual([]);
  });

  it("reads the four as that role, and is refused anything else", async () => {
    const asAuditor = (sql: string) =>
      asRole(db.pool, "autoexec_auditor", "dba", (client: pg.PoolClient) => client.query(sql));
    for (const relation of READABLE) {
      await expect(asAuditor(`select count(*) from ${relation}`)).resolves.toMatchObject({ rowCount: 1 });
    }
    await expect(asAuditor("select * from autoexec.actions")).rejects.toThrow(
      "permission denied for table actions",
    );
    await expect(asAuditor("select * from content.mods")).rejects.toThrow(
      "permission denied for schema content",
    );
  });
});
