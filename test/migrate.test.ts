import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, migrationStatus } from "../src/db/migrate.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const SQL_DIR = path.resolve(import.meta.dirname, "../sql");
const MIGRATIONS = (await readdir(path.join(SQL_DIR, "migrations"))).sort();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ empty: true });
  cleanups.push(() => db.drop());
  return db;
}

/** A copy of sql/ that a test may edit. */
async function sqlCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "autoexec-sql-"));
  await cp(SQL_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("npm run migrate", () => {
  it("creates the schema on an empty database, records each migration with a checksum, and is then a no-op", async () => {
    const db = await emptyDatabase();
    const first = await migrate(db.pool, db.log);
    expect(MIGRATIONS.slice(0, 3)).toEqual([
      "001_roles_and_schemas.sql",
      "002_content.sql",
      "003_engine.sql",
    ]);
    expect(first.applied).toEqual(MIGRATIONS);
    const { rows } = await db.pool.query(
      "select name, checksum from autoexec_private.migrations order by name",
    );
    expect(rows.map((row) => row.name)).toEqual(first.applied);
    for (const row of rows) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    const { rows: schemas } = await db.pool.query(
      "select nspname from pg_namespace where nspname in ('autoexec', 'autoexec_private', 'content', 'graphile_worker') order by 1",
    );
    expect(schemas.map((row) => row.nspname)).toEqual([
      "autoexec",
      "autoexec_private",
      "content",
      "graphile_worker",
    ]);

    expect((await migrate(db.pool, db.log)).applied).toEqual([]);
  });

  it("is safe when several processes migrate at once: each migration runs exactly once", async () => {
    const db = await emptyDatabase();
    const results = await Promise.all([1, 2, 3].map(() => migrate(db.pool, db.log)));
    const applied = results.flatMap((result) => result.applied).sort();
    expect(applied).toEqual(MIGRATIONS);
  });

  it("refuses a migration edited after it was applied", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    await migrate(db.pool, db.log, dir);
    const file = path.join(dir, "migrations", "002_content.sql");
    await writeFile(file, `${await readFile(file, "utf8")}\n-- an innocent-looking edit\n`);
    await expect(migrate(db.pool, db.log, dir)).rejects.toThrow(
      /migration 002_content.sql was edited after it was applied .* add a new file instead/,
    );
  });

  it("applies a new migration and re-applies every function file on each run", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    await migrate(db.pool, db.log, dir);
    await writeFile(path.join(dir, "migrations", "900_more.sql"), "create table content.extra (id int);");
    const actor = path.join(dir, "functions", "autoexec_private.current_actor.sql");
    await writeFile(
      actor,
      (await readFile(actor, "utf8")).replace("session_user::text", "'changed-' || session_user::text"),
    );
    expect((await migrate(db.pool, db.log, dir)).applied).toEqual(["900_more.sql"]);
    const { rows } = await db.pool.query("select autoexec_private.current_actor() as actor");
    expect(rows[0].actor).toMatch(/^changed-/);
  });

  it("rolls back a failing migration whole and names it", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    await writeFile(
      path.join(dir, "migrations", "900_broken.sql"),
      "create table content.half (id int);\nselect 1/0;",
    );
    await expect(migrate(db.pool, db.log, dir)).rejects.toThrow(/900_broken.sql failed: division by zero/);
    const { rows } = await db.pool.query("select to_regclass('content.half') as half");
    expect(rows[0].half).toBeNull();
  });

  it("refuses file names that do not sort unambiguously", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    await writeFile(path.join(dir, "migrations", "003_clash.sql"), "select 1;");
    await expect(migrate(db.pool, db.log, dir)).rejects.toThrow(/share the number 3/);
    await rm(path.join(dir, "migrations", "003_clash.sql"));
    await writeFile(path.join(dir, "migrations", "Add Things.sql"), "select 1;");
    await expect(migrate(db.pool, db.log, dir)).rejects.toThrow(/does not look like NNN_snake_case_name.sql/);
  });

  it("drops a function whose file was removed or whose signature changed, and keeps the migrations' own", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    const extra = path.join(dir, "functions", "autoexec_private.extra_helper.sql");
    await writeFile(
      extra,
      "create or replace function autoexec_private.extra_helper() returns int language sql as 'select 1';",
    );
    await writeFile(
      path.join(dir, "migrations", "900_own_function.sql"),
      "create function autoexec_private.made_by_a_migration() returns int language sql as 'select 2';",
    );
    await migrate(db.pool, db.log, dir);
    const overloads = async (name: string) =>
      (
        await db.pool.query<{ signature: string }>(
          "select oid::regprocedure::text as signature from pg_proc where proname = $1 order by 1",
          [name],
        )
      ).rows.map((row) => row.signature);
    expect(await overloads("extra_helper")).toEqual(["autoexec_private.extra_helper()"]);

    // Re-typed: CREATE OR REPLACE alone would leave the bigint[] overload behind.
    const marked = path.join(dir, "functions", "autoexec.mark_notifications_read.sql");
    await writeFile(marked, (await readFile(marked, "utf8")).replaceAll("bigint[]", "integer[]"));
    await rm(extra);
    const { dropped } = await migrate(db.pool, db.log, dir);
    expect(dropped.sort()).toEqual([
      "autoexec.mark_notifications_read(bigint[])",
      "autoexec_private.extra_helper()",
    ]);
    expect(await overloads("mark_notifications_read")).toEqual([
      "autoexec.mark_notifications_read(integer[])",
    ]);
    expect(await overloads("extra_helper")).toEqual([]);
    expect(await overloads("made_by_a_migration")).toEqual(["autoexec_private.made_by_a_migration()"]);
    // And a run that changes nothing drops nothing.
    expect((await migrate(db.pool, db.log, dir)).dropped).toEqual([]);
  });

  it("re-creates a function whose result type, parameter names or defaults changed, grants and all", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    const helper = path.join(dir, "functions", "autoexec_private.extra_helper.sql");
    const grant = "grant execute on function autoexec_private.extra_helper(integer) to autoexec_executor;";
    await writeFile(
      helper,
      `create or replace function autoexec_private.extra_helper(p integer) returns integer language sql as 'select p';\n${grant}`,
    );
    await migrate(db.pool, db.log, dir);
    // CREATE OR REPLACE alone refuses each of these.
    for (const definition of [
      "extra_helper(p integer) returns bigint language sql as 'select p::bigint'",
      "extra_helper(q integer) returns bigint language sql as 'select q::bigint'",
      "extra_helper(q integer default 1) returns bigint language sql as 'select q::bigint'",
      "extra_helper(q integer) returns bigint language sql as 'select q::bigint'",
    ]) {
      await writeFile(helper, `create or replace function autoexec_private.${definition};\n${grant}`);
      expect((await migrate(db.pool, db.log, dir)).dropped).toEqual([]);
    }
    const { rows } = await db.pool.query(
      `select pg_get_function_identity_arguments(p.oid) as args, p.prorettype::regtype::text as result,
         has_function_privilege('autoexec_executor', p.oid, 'execute') as granted
       from pg_proc p where p.proname = 'extra_helper'`,
    );
    expect(rows).toEqual([{ args: "q integer", result: "bigint", granted: true }]);
  });

  it("re-applies sql/views after the functions, whatever order their names sort in, with their grants", async () => {
    const db = await emptyDatabase();
    const dir = await sqlCopy();
    await migrate(db.pool, db.log, dir);
    // A migration that has to reshape a view drops it; the view's file brings it back, grants and all.
    await db.pool.query("drop view autoexec.daily_executions");
    // Sorts before the view it reads, so it fails the first time round.
    await writeFile(
      path.join(dir, "views", "autoexec.a_daily_totals.sql"),
      "create or replace view autoexec.a_daily_totals as select day, sum(executions) as executions from autoexec.daily_executions group by day;",
    );
    await migrate(db.pool, db.log, dir);
    const { rows } = await db.pool.query(
      `select to_regclass('autoexec.a_daily_totals') is not null as totals,
         has_table_privilege('autoexec_viewer', 'autoexec.daily_executions', 'select') as viewer,
         has_table_privilege('autoexec_auditor', 'autoexec.daily_executions', 'select') as auditor,
         obj_description('autoexec.daily_executions'::regclass, 'pg_class') as comment`,
    );
    expect(rows[0]).toEqual({
      totals: true,
      viewer: true,
      auditor: true,
      comment:
        "@foreignKey (mode) references autoexec.execution_modes (mode)\nExecutions per day, type, tier, mode and outcome.",
    });
    // A view that can never be created is named, and nothing of the run is kept.
    await writeFile(
      path.join(dir, "views", "autoexec.broken.sql"),
      "create view autoexec.broken as select * from nowhere;",
    );
    await expect(migrate(db.pool, db.log, dir)).rejects.toThrow(
      /autoexec.broken.sql: relation "nowhere" does not exist/,
    );
  });

  it("--status lists the applied and the pending migrations and changes nothing", async () => {
    const db = await emptyDatabase();
    expect((await migrationStatus(db.pool)).pending).toEqual(MIGRATIONS);
    const status = spawnSync(process.execPath, ["src/bin/migrate.ts", "--status"], {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: db.url, LOG_LEVEL: "warn" },
      encoding: "utf8",
    });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`pending  ${MIGRATIONS[0]}`);
    expect(status.stdout).toContain(`0 applied, ${MIGRATIONS.length} pending`);
    expect((await migrationStatus(db.pool)).pending).toEqual(MIGRATIONS);

    await migrate(db.pool, db.log);
    const after = await migrationStatus(db.pool);
    expect(after.pending).toEqual([]);
    expect(after.applied.map((migration) => migration.name)).toEqual(MIGRATIONS);
    expect(after.applied[0]?.appliedAt).toMatch(/Z$/); // UTC, and says so
  });
});
