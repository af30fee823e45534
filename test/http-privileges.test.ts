import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "../src/db/pool.ts";
import { createServerPools } from "../src/http/db.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, getAction, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { loginUrl, queryAs } from "./support/http.ts";
import { MATRIX_SCHEMAS, privilegeMatrix } from "./support/privileges.ts";
import { waitFor } from "./support/wait.ts";
import { spawnWorker, stopWorker } from "./support/worker-process.ts";

/** The privilege matrix kept in the repository; regenerate with UPDATE_PRIVILEGE_MATRIX=1 and review the diff. */
const MATRIX_FILE = path.resolve(import.meta.dirname, "../sql/privileges.tsv");
const HEADER = `# Every privilege on ${MATRIX_SCHEMAS.join(", ")} (schemas, tables, views, sequences, columns,
# functions) held by anyone but the owner, their row-level security policies, and the autoexec roles'
# memberships and attributes.
# Checked by test/http-privileges.test.ts; after a deliberate change, regenerate with
#   UPDATE_PRIVILEGE_MATRIX=1 npm test -- test/http-privileges.test.ts
# and review the diff. Columns: grantee, object, privileges.
`;

let db: TestDatabase;
let serverUrl: string;
let workerUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  serverUrl = await loginUrl(db, "autoexec_server");
  workerUrl = await loginUrl(db, "autoexec_worker");
});
afterAll(() => db?.drop());

describe("the privilege matrix", () => {
  it("matches sql/privileges.tsv line for line", async () => {
    const actual = await privilegeMatrix(db.pool);
    if (process.env.UPDATE_PRIVILEGE_MATRIX === "1" && !process.env.CI) {
      await writeFile(MATRIX_FILE, `${HEADER}${actual.join("\n")}\n`);
    }
    const expected = (await readFile(MATRIX_FILE, "utf8"))
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    const missing = expected.filter((line) => !actual.includes(line));
    const unexpected = actual.filter((line) => !expected.includes(line));
    expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  });

  it("would catch a stray grant", async () => {
    await db.pool.query("grant delete on autoexec.audit_events to autoexec_viewer");
    try {
      expect(await privilegeMatrix(db.pool)).toContain(
        "autoexec_viewer\ttable autoexec.audit_events\tDELETE,SELECT",
      );
    } finally {
      await db.pool.query("revoke delete on autoexec.audit_events from autoexec_viewer");
    }
  });
});

describe("the login roles", () => {
  it("are no superusers, cannot bypass row-level security and own nothing", async () => {
    const { rows } = await db.pool.query(
      `select r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
         (select count(*)::int from pg_class where relowner = r.oid)
         + (select count(*)::int from pg_proc where proowner = r.oid)
         + (select count(*)::int from pg_namespace where nspowner = r.oid)
         + (select count(*)::int from pg_type where typowner = r.oid) as owned
       from pg_roles r where r.rolname in ('autoexec_server', 'autoexec_worker', 'autoexec_agent') order by 1`,
    );
    expect(rows).toEqual(
      ["autoexec_agent", "autoexec_server", "autoexec_worker"].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolbypassrls: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolcanlogin: true,
        owned: 0,
      })),
    );
  });

  it("autoexec_server can do nothing until it takes a role, and then only that role's part", async () => {
    const denied = /permission denied/;
    await expect(queryAs(serverUrl, "select count(*) from autoexec.actions")).rejects.toThrow(denied);
    await expect(queryAs(serverUrl, "select autoexec.execution_stats()")).rejects.toThrow(denied);
    await expect(queryAs(serverUrl, "set role autoexec_agent")).rejects.toThrow(denied);
    await expect(queryAs(serverUrl, "set role autoexec_worker")).rejects.toThrow(denied);

    /** The rows, or the error, of `sql` run by autoexec_server after SET ROLE. */
    const asRole = async (role: string, sql: string): Promise<unknown> => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`set role ${role}`);
        return (await client.query(sql)).rows;
      } catch (error) {
        return error;
      } finally {
        await client.end();
      }
    };
    // Viewers read the autoexec schema and nothing else.
    expect(await asRole("autoexec_viewer", "select count(*)::int as n from autoexec.audit_events")).toEqual([
      { n: 0 },
    ]);
    for (const sql of [
      "select autoexec.reset_circuit_breaker('viewer')",
      "select autoexec.update_settings(enabled => true)",
      "select autoexec.approve_action(1)",
      "update autoexec.settings set enabled = true",
      "select count(*) from content.mods",
      "select autoexec_private.current_actor()",
      "select count(*) from autoexec_private.migrations",
    ]) {
      expect(String(await asRole("autoexec_viewer", sql))).toMatch(denied);
    }
    // Admins change things only through the functions.
    for (const sql of [
      "update autoexec.settings set enabled = true",
      "insert into autoexec.audit_events (actor, action, subject_type) values ('x', 'x', 'x')",
      "delete from autoexec.execution_logs",
      "select count(*) from content.mods",
      "select graphile_worker.add_job('execute_action', '{}')",
    ]) {
      expect(String(await asRole("autoexec_admin", sql))).toMatch(denied);
    }
    // The executor cannot read the audit trail, change settings or approve.
    for (const sql of [
      "select count(*) from autoexec.audit_events",
      "update autoexec.settings set enabled = true",
      "select autoexec.approve_action(1)",
      "update autoexec.actions set execution_tier = 1",
    ]) {
      expect(String(await asRole("autoexec_executor", sql))).toMatch(denied);
    }
  });

  it("the API's pools: reads as the server login with a statement timeout, executions as autoexec_executor", async () => {
    const pools = createServerPools(serverUrl, db.log, { statementTimeoutMs: 250, max: 2 });
    try {
      const { rows } = await pools.pool.query(
        "select session_user::text as login, current_user::text as role, current_setting('statement_timeout') as timeout",
      );
      expect(rows[0]).toEqual({ login: "autoexec_server", role: "autoexec_server", timeout: "250ms" });
      const executor = await pools.executorPool.query(
        "select session_user::text as login, current_user::text as role",
      );
      expect(executor.rows[0]).toEqual({ login: "autoexec_server", role: "autoexec_executor" });
      await expect(pools.pool.query("select pg_sleep(2)")).rejects.toMatchObject({ code: "57014" });
    } finally {
      await Promise.all([pools.pool.end(), pools.executorPool.end()]);
    }
  });
});

describe("the worker as autoexec_worker", () => {
  it("runs in-process: executes, defers, fails and records, sweeps and purges with its own privileges", async () => {
    const pool = createPool(workerUrl, db.log, 8);
    const worker = await startWorker({ pool, log: db.log, concurrency: 2, pollInterval: 100 });
    try {
      await goLive(db.pool, { hourly_limit: 1 });
      const first = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      const second = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      const invalid = await insertAction(db.pool, { data: { modId: "x" } });
      // One runs; the hourly limit sends the other to the waiting line, whose dispatcher the worker
      // schedules (add_job) and runs.
      await waitFor(
        async () => {
          const states = [await getAction(db.pool, first), await getAction(db.pool, second)];
          return (
            states.some((state) => state.status === "EXECUTED") &&
            states.some(
              (state) =>
                state.status === "PENDING" && state.status_reason?.startsWith("waiting in line") === true,
            )
          );
        },
        15_000,
        {
          what: "one execution and one deferral",
          describe: async () =>
            JSON.stringify([await getAction(db.pool, first), await getAction(db.pool, second)]),
        },
      );
      await waitFor(async () => (await getAction(db.pool, invalid)).status === "INVALID", 15_000, {
        what: "invalid",
      });
      const { rows } = await db.pool.query(
        `select distinct usename::text from pg_stat_activity
         where datname = current_database() and query like 'LISTEN "jobs:insert"%'`,
      );
      expect(rows).toEqual([{ usename: "autoexec_worker" }]);
      // A Tier 2 proposal nobody decided within pending_ttl, for the sweep to expire.
      const undecided = await insertAction(db.pool, {
        type: "ADD_AD_SLOT",
        data: { modId: await insertMod(db.pool), position: "a", format: "b" },
      });
      await db.pool.query(
        "update autoexec.actions set created_at = now() - interval '30 days' where id = $1",
        [undecided],
      );
      // The crontab tasks' SQL, as the worker runs it.
      const sweep = await queryAs<{ sweep: unknown }>(workerUrl, "select autoexec_private.sweep()");
      expect(sweep[0]?.sweep).toMatchObject({ expired: 1, unlockedWorkers: 0 });
      expect(await getAction(db.pool, undecided)).toMatchObject({ status: "EXPIRED" });
      const dispatch = await queryAs<{ result: unknown }>(
        workerUrl,
        "select autoexec_private.dispatch_waiting() as result",
      );
      expect(dispatch[0]?.result).toMatchObject({ dispatched: 0 });
      const purge = await queryAs(workerUrl, "select autoexec_private.purge_rollback_data() as purged");
      expect(purge[0]).toEqual({ purged: 0 });
      const fold = await queryAs(workerUrl, "select autoexec_private.fold_rollups() >= 0 as folded");
      expect(fold[0]).toEqual({ folded: true });
      await queryAs(workerUrl, "update autoexec.notifications set delivered_at = now() where false");
    } finally {
      await worker.stop();
      await pool.end();
    }
  });

  it("runs as a process (npm run worker) with WORKER_DATABASE_URL", async () => {
    const child = spawnWorker(db.url, { WORKER_DATABASE_URL: workerUrl, LOG_LEVEL: "warn" });
    try {
      await goLive(db.pool, { hourly_limit: 100 });
      const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
      await waitFor(async () => (await getAction(db.pool, actionId)).status === "EXECUTED", 20_000, {
        what: "the worker process to execute the action",
        describe: () => child.output.join(""),
      });
      const { rows } = await db.pool.query(
        `select distinct usename::text from pg_stat_activity
         where datname = current_database() and query like 'LISTEN "jobs:insert"%'`,
      );
      expect(rows).toEqual([{ usename: "autoexec_worker" }]);
      // It logs no warning about its login: it is not a superuser.
      expect(child.output.join("")).not.toMatch(/superuser/);
    } finally {
      expect(await stopWorker(child)).toBe(0);
    }
  });
});
