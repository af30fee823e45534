/**
 * npm run bench -- --scale
 *
 * Reads that must not grow with the log (issue 15 part 4): with 10,000,000 execution logs and
 * 1,000,000 actions, the stats for 30 days, a year and ranges with odd edges, and a /metrics scrape,
 * through the real app (createApp: JWT, the viewer role), each the median of 5 warm requests against a
 * target of 20 ms; then the same stats computed from the raw log, which the rollups' figures must equal
 * (counts exactly, percentiles within the histograms' 4.4 %). See docs/BENCHMARKS.md.
 */
import type pg from "pg";
import { createApp } from "../src/http/app.ts";
import { createServerPools } from "../src/http/db.ts";
import { secretKey, signToken } from "../src/http/jwt.ts";
import type { Logger } from "../src/logger.ts";
import { bulkLoad } from "./lib/history.ts";
import { fmt, int, progress, summarize } from "./lib/output.ts";

export const SCALE_READ_TARGET_MS = 20;
/** Logs per action: an action's dry runs (phase 1), then its live attempts. */
const LOGS_PER_ACTION = 10;
/** Loaded in slices, so that progress shows and no statement holds gigabytes of state. */
const SLICE_ACTIONS = 100_000;
/** The history spans a year back from now. */
const SPAN_SECONDS = 365 * 86_400;
/** 2^(1/16) - 1: the percentiles' precision (autoexec_private.latency_bin). */
const PERCENTILE_PRECISION = 2 ** (1 / 16) - 1;

/**
 * `actions` actions over the last year (1 in 3 Tier 2, approved 20 s to 30 min after the proposal, an
 * audit event each), 10 logs each, 3 s apart, starting 32 to 92 minutes after the proposal: 8 dry runs
 * (5 % of them failing), then a live attempt that succeeds for 9 in 10 actions (1 in 100 of those
 * rolled back 3 hours after the proposal) and fails for the rest, whose second live attempt succeeds;
 * the others dry-run once more. Bulk (bench/lib/history.ts): triggers off, indexes rebuilt,
 * rollups rebuilt from the raw tables at the end.
 */
export async function loadScaleData(pool: pg.Pool, actions: number): Promise<void> {
  await bulkLoad(pool, async (client) => {
    for (let first = 1; first <= actions; first += SLICE_ACTIONS) {
      const last = Math.min(actions, first + SLICE_ACTIONS - 1);
      await client.query(
        `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact,
           execution_tier, status, created_at, reviewed_by, reviewed_at, execution_attempts)
         select case when g % 3 = 0 then 'EXPAND_CONTENT' else 'ADD_AFFILIATE_LINK' end, jsonb_build_object('n', g),
           0.9, 1, case when g % 3 = 0 then 2 else 1 end, 'EXECUTED', t.created_at,
           case when g % 3 = 0 then 'alice' end,
           case when g % 3 = 0 then t.created_at + (20 + g % 1800) * interval '1 second' end,
           case when g % 10 = 0 then 2 else 1 end
         from generate_series($1::int, $2::int) g
         cross join lateral (select now() - ($3::int - g) * ($4::float8 / $3::int) * interval '1 second' as created_at) t`,
        [first, last, actions, SPAN_SECONDS],
      );
      progress(`scale: ${int(last)} of ${int(actions)} actions`);
    }
    const { rows } = await client.query<{ id: string }>("select min(id) as id from autoexec.actions");
    const offset = Number(rows[0]?.id) - 1;
    await client.query(
      `insert into autoexec.audit_events (occurred_at, actor, action, subject_type, subject_id, old_values, new_values)
       select a.reviewed_at, 'alice', 'action.approved', 'action', a.id::text, '{"status": "PENDING"}',
         '{"status": "APPROVED"}'
       from autoexec.actions a where a.reviewed_at is not null`,
    );
    progress("scale: an approval audit event per Tier 2 action");
    for (let first = 1; first <= actions; first += SLICE_ACTIONS) {
      const last = Math.min(actions, first + SLICE_ACTIONS - 1);
      await client.query(
        `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
           attempt, input_data, success, error_message, duration_ms, rolled_back_at, rolled_back_by, rollback_reason)
         select a.id, a.type, a.execution_tier,
           a.created_at + interval '1900 seconds' + (a.id * 7919 % 3600 + r * 3) * interval '1 second',
           case when a.execution_tier = 1 then 'auto' else 'approved' end, k.mode, case when r = 9 and k.mode = 'live' then 2 else 1 end,
           '{}', k.ok, case when not k.ok then 'failed' end, (a.id * 31 + r) % 700,
           case when k.rolled then a.created_at + interval '3 hours' end, case when k.rolled then 'carol' end,
           case when k.rolled then 'benchmark' end
         from autoexec.actions a
         cross join generate_series(0, $4::int - 1) r
         cross join lateral (select case when r < 8 or (r = 9 and a.id % 10 <> 0) then 'dry_run' else 'live' end as mode) m
         cross join lateral (
           select m.mode, ok, m.mode = 'live' and ok and a.id % 100 = 1 as rolled
           from (select case when m.mode = 'dry_run' then (a.id + r) % 20 <> 0 when r = 8 then a.id % 10 <> 0 else true end
             as ok) o
         ) k
         where a.id between $1::bigint + $3::bigint and $2::bigint + $3::bigint`,
        [first, last, offset, LOGS_PER_ACTION],
      );
      progress(`scale: ${int(last * LOGS_PER_ACTION)} of ${int(actions * LOGS_PER_ACTION)} execution logs`);
    }
    progress("scale: rebuilding the indexes and the rollups (bulk load: triggers were off)");
  });
}

interface Timed {
  name: string;
  p50: number;
  max: number;
}

/** Loads the data, starts the app on `url` (a superuser or owner login), times the reads, checks them. */
export async function scaleTiming(url: string, pool: pg.Pool, log: Logger, logs: number): Promise<void> {
  const actions = Math.max(1, Math.round(logs / LOGS_PER_ACTION));
  progress(
    `scale: loading ${int(actions)} actions and ${int(actions * LOGS_PER_ACTION)} execution logs (bulk)`,
  );
  const started = performance.now();
  await loadScaleData(pool, actions);
  await pool.query("vacuum analyze autoexec.actions, autoexec.execution_logs, autoexec.audit_events");
  const { rows: counts } = await pool.query<{ actions: string; logs: string }>(
    "select (select count(*) from autoexec.actions) as actions, (select count(*) from autoexec.execution_logs) as logs",
  );
  const loaded = { actions: Number(counts[0]?.actions), logs: Number(counts[0]?.logs) };
  progress(
    `scale: ${int(loaded.actions)} actions, ${int(loaded.logs)} execution logs loaded, indexed and rolled up in ` +
      `${fmt((performance.now() - started) / 1000, 1)} s`,
  );

  const secret = "bench-secret-for-the-scale-reads-0123456789";
  const pools = createServerPools(url, log, { statementTimeoutMs: 120_000, max: 4 });
  const built = await createApp({ ...pools, jwtSecret: secret, log });
  const token = await signToken({ sub: "bench", role: "viewer" }, secretKey(secret), "1h");
  const get = async (path: string) => {
    const response = await built.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return path === "/metrics" ? response.text() : response.json();
  };
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const ranges = [
    { name: "stats, default 30 days", from: undefined, to: undefined },
    { name: "stats, a year", from: iso(now - 365 * 86_400_000), to: iso(now) },
    {
      name: "stats, 90 days with odd edges",
      from: iso(now - 90.37 * 86_400_000 + 1234),
      to: iso(now - 0.4 * 86_400_000),
    },
    { name: "stats, a day", from: iso(now - 86_400_000), to: iso(now) },
    {
      name: "stats, 7 minutes a month ago",
      from: iso(now - 30 * 86_400_000),
      to: iso(now - 30 * 86_400_000 + 420_000),
    },
  ];
  const statsPath = (range: { from?: string; to?: string }) =>
    `/api/monetization/execution/stats?recent=20${range.from ? `&from=${range.from}&to=${range.to}` : ""}`;
  const documents = [
    ...ranges.map((range) => ({ name: range.name, path: statsPath(range) })),
    { name: "/metrics scrape", path: "/metrics" },
  ];
  const results: Timed[] = [];
  const mismatches: string[] = [];
  try {
    for (const document of documents) {
      const samples: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await get(document.path);
        if (i > 0) samples.push(performance.now() - t0); // the first warms the plan and the cache
      }
      const stats = summarize(samples);
      results.push({ name: document.name, p50: stats.p50, max: Math.max(...samples) });
      progress(`scale: ${document.name}: ${fmt(stats.p50, 1)} ms`);
    }
    progress("scale: the same figures from the raw log (full scans: slow on purpose)");
    for (const range of ranges) {
      const stats = (await get(statsPath(range))) as StatsBody;
      mismatches.push(...(await compareWithRaw(pool, range.name, stats)));
    }
  } finally {
    await built.close();
    await Promise.all([pools.pool.end(), pools.executorPool.end()]);
  }
  printScaleTimings(results, loaded, mismatches);
}

interface Times {
  executions: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
}
interface StatsBody {
  range: { from: string; to: string };
  byType: Record<string, { attempts: number; succeeded: number; failed: number; rolledBack: number }>;
  metrics: {
    executions: number;
    succeeded: number;
    failed: number;
    rolledBack: number;
    tier1TimeToExecute: Times;
    tier2TimeToExecute: Times;
    reviewTime: {
      decisions: number;
      p50Seconds: number | null;
      p95Seconds: number | null;
      automatedDecisions: number;
    };
  };
}

/** The range's figures recomputed from the raw log, the actions and the audit events; the differences. */
async function compareWithRaw(pool: pg.Pool, name: string, stats: StatsBody): Promise<string[]> {
  const { rows } = await pool.query(
    `with live as (
       select l.*, case when l.execution_tier = 1 then a.created_at else a.reviewed_at end as since
       from autoexec.execution_logs l join autoexec.actions a on a.id = l.action_id
       where l.mode = 'live' and l.executed_at >= $1 and l.executed_at < $2
     ), times as (
       select execution_tier as tier, extract(epoch from executed_at - since) as s from live
       where success and since is not null
         and (execution_tier = 1 and executed_by = 'auto' or execution_tier = 2 and executed_by = 'approved')
     ), decided as (
       select extract(epoch from e.occurred_at - a.created_at) as s
       from autoexec.audit_events e join autoexec.actions a on a.id = e.subject_id::bigint
       where e.action in ('action.approved', 'action.rejected') and e.subject_type = 'action'
         and e.occurred_at >= $1 and e.occurred_at < $2
     )
     select (select count(*) from live)::int as executions,
       (select count(*) from live where success)::int as succeeded,
       (select count(*) from live where not success)::int as failed,
       (select count(*) from live where rolled_back_at is not null)::int as "rolledBack",
       (select count(*) from live where success and executed_by = 'auto')::int as automated,
       (select array[count(*), percentile_cont(0.5) within group (order by s), percentile_cont(0.95) within group (order by s)]
        from times where tier = 1) as tier1,
       (select array[count(*), percentile_cont(0.5) within group (order by s), percentile_cont(0.95) within group (order by s)]
        from times where tier = 2) as tier2,
       (select array[count(*), percentile_cont(0.5) within group (order by s), percentile_cont(0.95) within group (order by s)]
        from decided) as decisions`,
    [stats.range.from, stats.range.to],
  );
  const raw = rows[0];
  const m = stats.metrics;
  const differences: string[] = [];
  const same = (what: string, rolled: number, exact: number) => {
    if (rolled !== exact) differences.push(`${name}: ${what} ${rolled}, raw ${exact}`);
  };
  const near = (what: string, rolled: number | null, exact: number | null) => {
    const ok =
      exact === null
        ? rolled === null
        : rolled !== null && Math.abs(rolled - exact) <= Math.abs(exact) * PERCENTILE_PRECISION + 0.0005;
    if (!ok) differences.push(`${name}: ${what} ${rolled}, raw ${exact}`);
  };
  same("executions", m.executions, raw.executions);
  same("succeeded", m.succeeded, raw.succeeded);
  same("failed", m.failed, raw.failed);
  same("rolled back", m.rolledBack, raw.rolledBack);
  same("automated decisions", m.reviewTime.automatedDecisions, raw.automated);
  for (const [what, rolled, exact] of [
    ["tier 1 time to execute", m.tier1TimeToExecute, raw.tier1],
    ["tier 2 time to execute", m.tier2TimeToExecute, raw.tier2],
    [
      "time to decision",
      {
        executions: m.reviewTime.decisions,
        p50Seconds: m.reviewTime.p50Seconds,
        p95Seconds: m.reviewTime.p95Seconds,
      },
      raw.decisions,
    ],
  ] as const) {
    same(`${what} count`, rolled.executions, Number(exact[0]));
    near(`${what} p50`, rolled.p50Seconds, exact[1]);
    near(`${what} p95`, rolled.p95Seconds, exact[2]);
  }
  return differences;
}

function printScaleTimings(
  results: Timed[],
  loaded: { actions: number; logs: number },
  mismatches: string[],
): void {
  const width = Math.max(...results.map((row) => row.name.length)) + 2;
  console.log(
    `\nreads at scale over ${int(loaded.actions)} actions and ${int(loaded.logs)} execution logs, through the app as a ` +
      `viewer (median of 5 warm requests, slowest of them; target ≤ ${SCALE_READ_TARGET_MS} ms)`,
  );
  for (const row of results) {
    const verdict = row.p50 <= SCALE_READ_TARGET_MS ? "PASS" : "MISS";
    console.log(
      `  ${row.name.padEnd(width)}${fmt(row.p50, 1).padStart(7)} ms  (max ${fmt(row.max, 1)} ms)  ${verdict}`,
    );
  }
  const missed = results.filter((row) => row.p50 > SCALE_READ_TARGET_MS).length;
  console.log(
    missed
      ? `  ${missed} of ${results.length} reads MISS the ${SCALE_READ_TARGET_MS} ms target`
      : `  all ${results.length} reads PASS (≤ ${SCALE_READ_TARGET_MS} ms)`,
  );
  console.log(
    mismatches.length
      ? `  the rollups DIFFER from the raw log:\n${mismatches.map((line) => `    ${line}`).join("\n")}`
      : "  the figures equal the raw log's: counts exactly, percentiles within 4.4 % (PASS)",
  );
  if (mismatches.length) process.exitCode = 1;
}
