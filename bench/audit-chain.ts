/**
 * What the tamper-evident audit chain costs (sql/migrations/021_audit_chain.sql): one audit-writing
 * commit with and without its link, many writers at once (they queue on the chain's lock as they
 * commit), one transaction writing many events, and autoexec.verify_audit_chain() over every link.
 *
 *   npm run bench:audit-chain                 # embedded PostgreSQL, default durability
 *   DATABASE_URL=postgres://… npm run bench:audit-chain
 *
 * Figures go in docs/BENCHMARKS.md ("The audit chain").
 */
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPool } from "../src/db/pool.ts";
import { createLogger } from "../src/logger.ts";
import { openBenchDatabase } from "./lib/database.ts";
import { fmt, int, progress } from "./lib/output.ts";

const log = createLogger(process.env.LOG_LEVEL ?? "warn");
const WRITE_EVENT = `select autoexec_private.audit('bench.event', 'action', '1', null, '{"n": 1}', 'a note', 'bench')`;
const VERIFY_LINKS = 100_000;

const database = await openBenchDatabase(loadConfig().DATABASE_URL, log, {});
try {
  progress(`database: ${database.where}`);
  const pool = createPool(database.url, log, 10);
  await migrate(pool, log);
  progress("migrated");

  /** Milliseconds per commit of one audit event, one connection, `commits` times. */
  const oneWriter = async (commits: number) => {
    const started = performance.now();
    for (let i = 0; i < commits; i++) await pool.query(WRITE_EVENT);
    return (performance.now() - started) / commits;
  };
  /** Commits per second of `writers` connections writing one event per commit. */
  const manyWriters = async (writers: number, each: number) => {
    const clients = await Promise.all(
      Array.from({ length: writers }, async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      }),
    );
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < each; i++) await client.query(WRITE_EVENT);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(clients.map((client) => client.end()));
    return (writers * each) / seconds;
  };
  const setChain = (on: boolean) =>
    pool.query(`alter table autoexec.audit_events ${on ? "enable" : "disable"} trigger _800_chain`);

  for (const on of [false, true, false, true]) {
    await setChain(on);
    const serial = await oneWriter(2_000);
    const parallel = await manyWriters(8, 500);
    progress(
      `chain ${on ? "on " : "off"}: ${fmt(serial, 3)} ms per commit (1 writer), ${int(parallel)} commits/s (8 writers)`,
    );
  }
  // The events written with the chain off are not in the chain: start the rest on a clean trail.
  await pool.query("alter table autoexec.audit_events disable trigger user");
  await pool.query("truncate autoexec.audit_events, autoexec_private.audit_chain");
  await pool.query("alter table autoexec.audit_events enable trigger user");

  for (const size of [1_000, 10_000]) {
    const started = performance.now();
    await pool.query(`do $$ begin for i in 1..${size} loop perform (${WRITE_EVENT}); end loop; end $$`);
    progress(`one transaction of ${int(size)} events: ${fmt(performance.now() - started, 0)} ms`);
  }
  const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from autoexec.audit_events");
  for (let written = rows[0]?.n ?? 0; written < VERIFY_LINKS; written += 1_000) {
    await pool.query(`do $$ begin for i in 1..1000 loop perform (${WRITE_EVENT}); end loop; end $$`);
  }
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    const verdict = await pool.query("select valid, links_checked from autoexec.verify_audit_chain()");
    progress(
      `verify_audit_chain: ${int(verdict.rows[0].links_checked)} links in ${fmt(performance.now() - started, 0)} ms ` +
        `(valid: ${verdict.rows[0].valid})`,
    );
  }
  await pool.end();
} finally {
  await database.cleanup();
}
