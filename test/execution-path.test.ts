import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

/**
 * Every execution calls the guards' small SQL helpers. On PostgreSQL before 18 a SQL function that is
 * not inlined is planned again on every call (0.15-0.3 ms each, measured), and a SET clause or a FROM
 * keeps it from being inlined: these stay inlinable, and the ones that read tables are PL/pgSQL.
 */

/** Calls of the helpers, each as start_execution's guards make it. */
const INLINED_CALLS: Record<string, string> = {
  format_time: "select autoexec_private.format_time(now())",
  threshold_reason:
    "select autoexec_private.threshold_reason(a, s) from autoexec.actions a, autoexec.settings s",
  allowance_of: "select autoexec_private.allowance_of(0.9, s) from autoexec.settings s",
  gate_until: "select autoexec_private.gate_until(s, e) from autoexec.settings s, autoexec.engine_state e",
  allowance_limits:
    "select l.hourly from autoexec.settings s, autoexec_private.allowance_limits(s, 'confident') l",
  // Worded for every row of a Queue page, or by every audited change.
  line_reason: "select autoexec_private.line_reason(s, e) from autoexec.settings s, autoexec.engine_state e",
  expiry_reason: "select autoexec_private.expiry_reason(a) from autoexec.actions a",
  format_forecast_time: "select autoexec_private.format_forecast_time(now())",
  current_actor: "select autoexec_private.current_actor()",
  change_hash: "select autoexec_private.change_hash('{}')",
};
const PLPGSQL = ["gate_reason", "type_gate_reason", "active_freeze", "probing"];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("the execution path's SQL helpers", () => {
  it.each(Object.entries(INLINED_CALLS))("%s is inlined into its caller", async (name, call) => {
    const { rows } = await db.pool.query<{ "QUERY PLAN": string }>(`explain (verbose, costs off) ${call}`);
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect(plan).not.toContain(`${name}(`);
  });

  it("that read tables are PL/pgSQL without a SET clause, so their plans stay for the session", async () => {
    const { rows } = await db.pool.query<{ name: string; language: string; config: string[] | null }>(
      `select p.proname as name, l.lanname as language, p.proconfig as config
       from pg_proc p join pg_language l on l.oid = p.prolang
       where p.pronamespace = 'autoexec_private'::regnamespace and p.proname = any($1) order by 1`,
      [PLPGSQL],
    );
    expect(rows).toEqual([...PLPGSQL].sort().map((name) => ({ name, language: "plpgsql", config: null })));
  });
});
