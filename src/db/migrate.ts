import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { runMigrations as installWorkerSchema } from "graphile-worker";
import type pg from "pg";
import type { Logger } from "../logger.ts";
import { inTransaction } from "./pool.ts";

const SQL_DIR = path.resolve(import.meta.dirname, "../../sql");
/** Any constant works; it only has to be the same in every process that migrates. */
const MIGRATION_LOCK_KEY = 7_240_018;
const MIGRATION_NAME = /^(\d+)_[a-z0-9_]+\.sql$/;

interface SqlFile {
  name: string;
  text: string;
  checksum: string;
}

/**
 * Brings a database up to date: graphile-worker's schema, then every new file in sql/migrations
 * (forward-only, each in its own transaction, recorded with a checksum), then every file in
 * sql/functions and then sql/views re-applied in one transaction. A session advisory lock makes
 * concurrent runs queue.
 */
export async function migrate(
  pool: pg.Pool,
  log: Logger,
  sqlDir = SQL_DIR,
): Promise<{ applied: string[]; dropped: string[] }> {
  const migrations = await readMigrations(path.join(sqlDir, "migrations"));
  const functions = await readSqlFiles(path.join(sqlDir, "functions"));
  const views = await readSqlFiles(path.join(sqlDir, "views"));
  await installWorkerSchema({ pgPool: pool, logger: undefined });

  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`
      create schema if not exists autoexec_private;
      create table if not exists autoexec_private.migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      );`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      "select name, checksum from autoexec_private.migrations",
    );
    const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} was edited after it was applied (checksum ${checksum} in the database, ` +
              `${migration.checksum} on disk); migrations are forward-only: add a new file instead`,
          );
        }
        continue;
      }
      await namedTransaction(client, migration.name, async () => {
        await client.query(migration.text);
        await client.query("insert into autoexec_private.migrations (name, checksum) values ($1, $2)", [
          migration.name,
          migration.checksum,
        ]);
      });
      applied.push(migration.name);
      log.info({ migration: migration.name }, "migration applied");
    }
    let dropped: string[] = [];
    await namedTransaction(client, "sql/functions and sql/views", async () => {
      // Bodies are checked when called, so the files can be applied in any order.
      await client.query("set local check_function_bodies = off");
      await client.query(`create temporary table functions_before on commit drop as
        select p.oid, p.xmin as version from pg_catalog.pg_proc p where ${MANAGED_SCHEMA}`);
      for (const file of functions) {
        if (await applyFunctionFile(client, file))
          log.info(
            { file: file.name },
            "re-created a function whose result, parameter names or defaults changed",
          );
      }
      // After the functions (a view may call one) and before the stale ones are dropped (a view
      // replaced now no longer holds on to an old overload).
      await applyViews(client, views);
      dropped = await dropStaleFunctions(client);
      await loadActionDataSchemas(client, path.join(sqlDir, "action-data-schemas"));
    });
    for (const signature of dropped)
      log.info({ function: signature }, "dropped a function sql/functions no longer defines");
    log.debug({ count: functions.length }, "functions re-applied");
    return { applied, dropped };
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

const UNDEFINED_TABLE = "42P01";
const MANAGED_SCHEMA = "p.pronamespace::regnamespace::text in ('autoexec', 'autoexec_private', 'content')";
/**
 * The pg_proc row p was written by this run: it is new, or its row version changed since the run
 * began (CREATE OR REPLACE writes a new one). Compared with a snapshot rather than with this
 * transaction's id because each file runs in a savepoint, a subtransaction with an id of its own.
 */
const WRITTEN_NOW = `not exists (select from pg_temp.functions_before b where b.oid = p.oid and b.version = p.xmin)`;
const INVALID_FUNCTION_DEFINITION = "42P13";

/**
 * Runs one sql/functions file. CREATE OR REPLACE cannot change a function's result type, parameter
 * names or defaults (42P13); then the overloads of the file's function that this run has not created
 * are dropped and the file runs again, so a file never needs a DROP line for its own old shape (its
 * grants and comment are in the file; a dependent trigger or view makes the drop fail, naming it).
 * Returns whether it had to.
 */
async function applyFunctionFile(client: pg.PoolClient, file: SqlFile): Promise<boolean> {
  await client.query("savepoint function_file");
  try {
    await client.query(file.text);
    await client.query("release savepoint function_file");
    return false;
  } catch (error) {
    await client.query("rollback to savepoint function_file");
    if ((error as { code?: string }).code !== INVALID_FUNCTION_DEFINITION) throw named(file, error);
  }
  try {
    const [schema, name] = file.name.replace(/\.sql$/, "").split(".");
    const { rows } = await client.query<{ signature: string }>(
      `select p.oid::regprocedure::text as signature from pg_catalog.pg_proc p
       where p.pronamespace = $1::regnamespace and p.proname = $2 and not ${WRITTEN_NOW}`,
      [schema, name],
    );
    for (const { signature } of rows) await client.query(`drop function ${signature}`);
    await client.query(file.text);
    return true;
  } catch (error) {
    throw named(file, error);
  }
}

/**
 * Re-applies sql/views (CREATE OR REPLACE VIEW, one view per file) in an order that works: a view
 * that reads another view not created yet fails with undefined_table inside its savepoint and is
 * tried again once the others ran, so file names need not encode dependencies.
 */
async function applyViews(client: pg.PoolClient, views: SqlFile[]): Promise<void> {
  let pending = views;
  while (pending.length > 0) {
    const failed: Array<{ file: SqlFile; error: unknown }> = [];
    for (const file of pending) {
      await client.query("savepoint view_file");
      try {
        await client.query(file.text);
        await client.query("release savepoint view_file");
      } catch (error) {
        await client.query("rollback to savepoint view_file");
        if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw named(file, error);
        failed.push({ file, error });
      }
    }
    const [first] = failed;
    if (first && failed.length === pending.length) throw named(first.file, first.error);
    pending = failed.map((entry) => entry.file);
  }
}

/**
 * After sql/functions ran in this transaction: drops the functions it defined last time (or overloads
 * of a name it defines now) that it did not (re)create this time, i.e. a removed file or an old
 * signature, and records what it defines now (WRITTEN_NOW). A dependent object (a trigger, a view)
 * makes the drop fail, and the migration with it, which is what should happen: remove the dependent
 * first.
 */
async function dropStaleFunctions(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ signature: string }>(`
    with defined_now as (
      select p.oid, p.pronamespace, p.proname from pg_catalog.pg_proc p
      where ${WRITTEN_NOW} and ${MANAGED_SCHEMA}
    ), managed as (
      select p.oid from pg_catalog.pg_proc p
      where p.oid::regprocedure::text in (select signature from autoexec_private.managed_functions)
      union
      select p.oid from pg_catalog.pg_proc p join defined_now d using (pronamespace, proname)
    )
    select m.oid::regprocedure::text as signature from managed m
    where m.oid not in (select oid from defined_now)
    order by 1`);
  for (const { signature } of rows) await client.query(`drop function ${signature}`);
  await client.query(`
    delete from autoexec_private.managed_functions;
    insert into autoexec_private.managed_functions (signature)
    select p.oid::regprocedure::text from pg_catalog.pg_proc p
    where ${WRITTEN_NOW} and ${MANAGED_SCHEMA};`);
  return rows.map((row) => row.signature);
}

/**
 * Loads sql/action-data-schemas/<TYPE>.schema.json (generated from the handlers by `npm run
 * schemas`) into autoexec.action_types.data_schema, so agents can read them from the database.
 */
async function loadActionDataSchemas(client: pg.PoolClient, dir: string): Promise<void> {
  const files = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith(".schema.json"));
  for (const name of files) {
    const schema = await readFile(path.join(dir, name), "utf8");
    await client.query(
      "update autoexec.action_types set data_schema = $2::jsonb where type = $1 and data_schema is distinct from $2::jsonb",
      [name.replace(/\.schema\.json$/, ""), schema],
    );
  }
}

/** Applied migrations (oldest first) and the ones this code has that the database lacks. Changes nothing. */
export async function migrationStatus(
  pool: pg.Pool,
  sqlDir = SQL_DIR,
): Promise<{ applied: Array<{ name: string; appliedAt: string }>; pending: string[] }> {
  const expected = await expectedMigrations(sqlDir);
  const { rows } = await pool
    .query<{ name: string; applied_at: Date }>(
      "select name, applied_at from autoexec_private.migrations order by applied_at, name",
    )
    .catch((error: { code?: string }) => {
      if (error.code === "42P01") return { rows: [] }; // never migrated
      throw error;
    });
  const applied = new Set(rows.map((row) => row.name));
  return {
    applied: rows.map((row) => ({ name: row.name, appliedAt: row.applied_at.toISOString() })),
    pending: expected.filter((name) => !applied.has(name)),
  };
}

/** The names of the migrations this code expects, in order (what /readyz compares with the database). */
export async function expectedMigrations(sqlDir = SQL_DIR): Promise<string[]> {
  return (await readMigrations(path.join(sqlDir, "migrations"))).map((migration) => migration.name);
}

/** One transaction of the run; its failure names what failed. */
async function namedTransaction(
  client: pg.PoolClient,
  what: string,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await inTransaction(client, work);
  } catch (error) {
    throw new Error(`${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

function named(file: SqlFile, error: unknown): Error {
  return new Error(`${file.name}: ${(error as Error).message}`, { cause: error });
}

async function readSqlFiles(dir: string): Promise<SqlFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(path.join(dir, name), "utf8");
      return { name, text, checksum: createHash("sha256").update(text).digest("hex") };
    }),
  );
}

async function readMigrations(dir: string): Promise<SqlFile[]> {
  const files = await readSqlFiles(dir);
  const seen = new Map<number, string>();
  for (const file of files) {
    const match = MIGRATION_NAME.exec(file.name);
    if (!match) throw new Error(`sql/migrations/${file.name} does not look like NNN_snake_case_name.sql`);
    const number = Number(match[1]);
    const clash = seen.get(number);
    if (clash) throw new Error(`sql/migrations/${file.name} and ${clash} share the number ${number}`);
    seen.set(number, file.name);
  }
  return files.sort(
    (a, b) => Number(MIGRATION_NAME.exec(a.name)?.[1]) - Number(MIGRATION_NAME.exec(b.name)?.[1]),
  );
}
