import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatsResponse } from "../src/http/schemas.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { isWithinPercentilePrecision } from "./support/percentiles.ts";

/**
 * The rollups behind the stats, the review-time metrics, the history charts and /metrics (issue 15
 * part 4): every figure they give equals the figure computed from the raw tables, whether the journal
 * was folded or not, across bucket edges, under concurrent writers and folders, rollbacks, purges of
 * rollback data and transactions that commit long after their executed_at.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/**
 * `count` logs spread pseudo-randomly over February to April 2026 (a few exactly on bucket edges),
 * each with its own action: every type of executor, mode and outcome, Tier 1 and 2, seconds to hours
 * from proposal (Tier 1) or approval (Tier 2) to execution. Inserted with the triggers on, as the
 * engine writes them.
 */
async function seedLogs(count: number, seed: number): Promise<void> {
  const { rows } = await db.pool.query<{ ids: number[] }>(
    `with added as (
       insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       select case when n % 2 = 0 then 'ADD_AFFILIATE_LINK' else 'EXPAND_CONTENT' end, jsonb_build_object('n', n), 0.9, 1
       from generate_series(1, $1::int) n
       returning id
     )
     select array_agg(id) as ids from added`,
    [count],
  );
  const ids = rows[0]?.ids as number[];
  // Time moved in the data: the dates are set afterwards, as the engine's triggers set their own.
  await db.pool.query(
    `with g as (
       select id, (id * 7919 + $2::int) % 100003 as r,
         case when id % 97 = 0 then timestamptz '2026-03-01T00:00:00Z' - (id % 3) * interval '1 microsecond'
              when id % 89 = 0 then timestamptz '2026-03-15T13:00:00Z' - (id % 2) * interval '1 microsecond'
              else timestamptz '2026-02-01T00:00:00Z' + ((id::bigint * 104729 + $2::int) % 7689600) * interval '1 second'
                + (id % 1000) * interval '1 millisecond' end as executed_at
       from unnest($1::bigint[]) id
     )
     update autoexec.actions a set status = 'EXECUTED',
       created_at = g.executed_at - (1 + g.r % 5000) * interval '7 seconds',
       reviewed_at = case when a.execution_tier = 2 then g.executed_at - (1 + g.r % 300) * interval '1 second' end,
       action_data = jsonb_build_object('executedAt', g.executed_at, 'r', g.r)
     from g where a.id = g.id`,
    [ids, seed],
  );
  await db.pool.query(
    `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
       attempt, input_data, success, error_message, duration_ms, rollback_data)
     select a.id, a.type, a.execution_tier, (a.action_data ->> 'executedAt')::timestamptz,
       case when r % 11 = 0 then 'dave' when a.execution_tier = 1 then 'auto' else 'approved' end,
       case when r % 13 = 0 then 'dry_run' else 'live' end, 1 + r % 3, '{}', r % 7 <> 0,
       case when r % 7 = 0 then 'failed' end, r % 3000, case when r % 4 = 0 then '{"before": 1}'::jsonb end
     from autoexec.actions a cross join lateral (select (a.action_data ->> 'r')::int as r) x
     where a.id = any($1::bigint[])`,
    [ids],
  );
}

/** Rolls back every `every`-th live success through finish_rollback, as the rollback code does. */
async function rollBack(every: number, reason: string, residue = 0): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(autoexec_private.finish_rollback(id, 'carol', $2, false, null))::int as n
     from autoexec.execution_logs
     where success and mode = 'live' and rolled_back_at is null and id % $1 = $3`,
    [every, reason, residue],
  );
  return rows[0]?.n ?? 0;
}

/** Admin decisions on the Tier 2 actions, single and in bulk, some minutes to days after the proposal. */
async function seedDecisions(): Promise<void> {
  await db.pool.query(
    `insert into autoexec.audit_events (occurred_at, actor, action, subject_type, subject_id, old_values, new_values)
     select a.created_at + (1 + a.id % 400) * interval '97 seconds', 'alice',
       case when a.id % 3 = 0 then 'action.rejected' else 'action.approved' end, 'action', a.id::text,
       '{"status": "PENDING"}', '{"status": "APPROVED"}'
     from autoexec.actions a where a.execution_tier = 2 and a.id % 5 <> 0`,
  );
  await db.pool.query(
    `insert into autoexec.audit_events (occurred_at, actor, action, subject_type, subject_id, new_values)
     select max(a.created_at) + b * interval '37 minutes', 'alice', 'actions.approved', 'action_batch',
       null, jsonb_build_object('actionIds', jsonb_agg(a.id))
     from autoexec.actions a, generate_series(0, 40) b
     where a.execution_tier = 2 and a.id % 5 = 0 and a.id % 41 = b
     group by b`,
  );
}

interface Figures {
  byType: Record<string, { attempts: number; succeeded: number; failed: number; rolledBack: number }>;
  executions: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  tier1: { executions: number; p50: number | null; p95: number | null };
  tier2: { executions: number; p50: number | null; p95: number | null };
  decisions: { decisions: number; p50: number | null; p95: number | null; automated: number };
}

/** The range's figures straight from the raw log, the audit events and the actions (percentile_cont). */
async function rawFigures(from: string, to: string): Promise<Figures> {
  const { rows } = await db.pool.query(
    `with live as (
       select * from autoexec.execution_logs where mode = 'live' and executed_at >= $1 and executed_at < $2
     ), per_type as (
       select action_type, count(*)::int as attempts, (count(*) filter (where success))::int as succeeded,
         (count(*) filter (where not success))::int as failed,
         (count(*) filter (where rolled_back_at is not null))::int as "rolledBack"
       from live group by action_type
     ), times as (
       select l.execution_tier as tier,
         extract(epoch from l.executed_at - case when l.execution_tier = 1 then a.created_at else a.reviewed_at end) as s
       from live l join autoexec.actions a on a.id = l.action_id
       where l.success and ((l.execution_tier = 1 and l.executed_by = 'auto')
         or (l.execution_tier = 2 and l.executed_by = 'approved' and a.reviewed_at is not null))
     ), decided as (
       select extract(epoch from e.occurred_at - a.created_at) as s
       from autoexec.audit_events e
       cross join lateral (
         select e.subject_id::bigint as id where e.subject_type = 'action'
         union all
         select x::bigint from jsonb_array_elements_text(e.new_values -> 'actionIds') x where e.subject_type = 'action_batch'
       ) d
       join autoexec.actions a on a.id = d.id
       where e.action in ('action.approved', 'action.rejected', 'actions.approved', 'actions.rejected')
         and e.occurred_at >= $1 and e.occurred_at < $2
     )
     select
       (select coalesce(jsonb_object_agg(action_type, to_jsonb(p) - 'action_type'), '{}') from per_type p) as "byType",
       (select count(*)::int from live) as executions,
       (select count(*)::int from live where success) as succeeded,
       (select count(*)::int from live where not success) as failed,
       (select count(*)::int from live where rolled_back_at is not null) as "rolledBack",
       (select jsonb_build_object('executions', count(*), 'p50', percentile_cont(0.5) within group (order by s),
          'p95', percentile_cont(0.95) within group (order by s)) from times where tier = 1) as tier1,
       (select jsonb_build_object('executions', count(*), 'p50', percentile_cont(0.5) within group (order by s),
          'p95', percentile_cont(0.95) within group (order by s)) from times where tier = 2) as tier2,
       (select jsonb_build_object('decisions', count(*), 'p50', percentile_cont(0.5) within group (order by s),
          'p95', percentile_cont(0.95) within group (order by s),
          'automated', (select count(*) from live where success and executed_by = 'auto')) from decided) as decisions`,
    [from, to],
  );
  return rows[0] as Figures;
}

/** The same figures as autoexec.execution_stats gives them (from the rollups). */
async function statsFigures(from: string, to: string): Promise<Figures> {
  const { rows } = await db.pool.query("select autoexec.execution_stats($1, $2, 0) as s", [from, to]);
  const s = StatsResponse.parse(rows[0]?.s);
  const m = s.metrics;
  const times = (t: { executions: number; p50Seconds: number | null; p95Seconds: number | null }) => ({
    executions: t.executions,
    p50: t.p50Seconds,
    p95: t.p95Seconds,
  });
  return {
    byType: s.byType,
    executions: m.executions,
    succeeded: m.succeeded,
    failed: m.failed,
    rolledBack: m.rolledBack,
    tier1: times(m.tier1TimeToExecute),
    tier2: times(m.tier2TimeToExecute),
    decisions: {
      decisions: m.reviewTime.decisions,
      p50: m.reviewTime.p50Seconds,
      p95: m.reviewTime.p95Seconds,
      automated: m.reviewTime.automatedDecisions,
    },
  };
}

function expectPercentile(estimate: number | null, exact: number | null, where: string) {
  if (exact === null) return expect(estimate, where).toBeNull();
  expect(isWithinPercentilePrecision(estimate as number, exact), `${where}: ${estimate} for ${exact}`).toBe(
    true,
  );
}

/** Ranges across every kind of edge: months, days, hours, a microsecond either side, and odd ones. */
const RANGES: [string, string][] = [
  ["2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z"],
  ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"],
  ["2026-02-28T23:59:59.999999Z", "2026-03-01T00:00:00.000001Z"],
  ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000001Z"],
  ["2026-02-28T23:59:59.999998Z", "2026-03-01T00:00:00Z"],
  ["2026-03-15T12:59:59.999999Z", "2026-03-15T13:00:00.000001Z"],
  ["2026-02-03T04:05:06.789Z", "2026-04-27T21:43:10.5Z"],
  ["2026-03-10T10:17:00Z", "2026-03-10T11:03:00Z"],
  ["2026-02-14T00:00:00Z", "2026-03-02T05:00:00Z"],
  ["2025-12-01T00:00:00Z", "2026-12-01T00:00:00Z"],
];

async function expectEqualToRaw(state: string) {
  for (const [from, to] of RANGES) {
    const where = `${state}, ${from} to ${to}`;
    const [raw, rolled] = [await rawFigures(from, to), await statsFigures(from, to)];
    expect({ ...rolled, tier1: 0, tier2: 0, decisions: 0 }, where).toEqual({
      ...raw,
      tier1: 0,
      tier2: 0,
      decisions: 0,
    });
    for (const key of ["tier1", "tier2", "decisions"] as const) {
      type Summary = { executions?: number; decisions?: number; p50: number | null; p95: number | null };
      const [r, s] = [raw[key] as Summary, rolled[key] as Summary];
      expect(s.executions ?? s.decisions, `${where}: ${key} count`).toBe(Number(r.executions ?? r.decisions));
      expectPercentile(s.p50, r.p50, `${where}: ${key} p50`);
      expectPercentile(s.p95, r.p95, `${where}: ${key} p95`);
    }
    expect(rolled.decisions.automated, `${where}: automated`).toBe(Number(raw.decisions.automated));
  }
  const { rows } = await db.pool.query("select * from autoexec_private.check_rollups()");
  expect(rows, `${state}: check_rollups`).toEqual([]);
}

async function fold(batch = 100_000): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>("select autoexec_private.fold_rollups($1) as n", [
    batch,
  ]);
  return rows[0]?.n ?? 0;
}

async function journalSize(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    "select count(*)::int as n from autoexec_private.rollup_journal",
  );
  return rows[0]?.n ?? 0;
}

describe("the rollups give the raw log's figures", () => {
  beforeAll(async () => {
    await seedLogs(3000, 1);
    await seedDecisions();
  }, 60_000);

  it("before any fold (from the journal), after a partial fold and after a full one", async () => {
    expect(await journalSize()).toBeGreaterThan(3000);
    await expectEqualToRaw("unfolded");
    expect(await fold(1234)).toBe(1234);
    await expectEqualToRaw("partly folded");
    while ((await fold()) > 0);
    expect(await journalSize()).toBe(0);
    await expectEqualToRaw("folded");
  }, 120_000);

  it("after rollbacks of folded executions, and purging rollback data changes no figure", async () => {
    expect(await rollBack(17, "test")).toBeGreaterThan(10);
    await expectEqualToRaw("rolled back, unfolded");
    await fold();
    await expectEqualToRaw("rolled back, folded");
    // Every rollback data past retention goes: the counts stay.
    await db.pool.query("update autoexec.settings set rollback_retention = interval '1 day'");
    let purged = 0;
    for (;;) {
      const { rows } = await db.pool.query<{ n: number }>(
        "select autoexec_private.purge_rollback_data() as n",
      );
      if (!rows[0]?.n) break;
      purged += rows[0].n;
    }
    expect(purged).toBeGreaterThan(100);
    expect(await journalSize()).toBe(0);
    await expectEqualToRaw(`after purging ${purged}`);
  }, 120_000);

  it("counts a transaction that commits after a fold passed its executed_at, once", async () => {
    await fold();
    const late = new pg.Client({ connectionString: db.url });
    await late.connect();
    try {
      await late.query("begin");
      const { rows: added } = await late.query<{ id: number }>(
        `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
         values ('ADD_AFFILIATE_LINK', '{}', 0.9, 1) returning id`,
      );
      await late.query("update autoexec.actions set status = 'EXECUTED', created_at = $2 where id = $1", [
        added[0]?.id,
        "2026-03-10T10:00:00Z",
      ]);
      const { rows } = await late.query<{ id: number }>(
        `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
           attempt, input_data, success, duration_ms)
         values ($1, 'ADD_AFFILIATE_LINK', 1, '2026-03-10T10:20:00Z', 'auto', 'live', 1, '{}', true, 3)
         returning id`,
        [added[0]?.id],
      );
      const before = await rawFigures("2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z");
      // The fold cannot see the uncommitted row: it folds nothing of it.
      await fold();
      await late.query("commit");
      const after = await statsFigures("2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z");
      expect(after.executions).toBe(before.executions + 1);
      expect(await journalSize()).toBe(1);
      await fold();
      expect((await statsFigures("2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z")).executions).toBe(
        before.executions + 1,
      );
      expect(rows[0]?.id).toBeGreaterThan(0);
      await expectEqualToRaw("after a late commit");
    } finally {
      await late.end();
    }
  }, 120_000);

  it("stays exact with writers, rollbacks and folders all at once", async () => {
    const writers = Array.from({ length: 4 }, (_, w) =>
      (async () => {
        for (let i = 0; i < 15; i++) {
          await seedLogs(20, 100 * w + i);
          // Each writer rolls back its own share, as one admin would.
          if (i % 5 === 4) await rollBack(92, `writer ${w}`, 23 * w);
        }
      })(),
    );
    // Two folders compete; one of them gives way each time (the advisory lock), neither loses a row.
    let folding = true;
    const folders = Array.from({ length: 2 }, () =>
      (async () => {
        while (folding) await fold(50);
      })(),
    );
    await Promise.all(writers);
    folding = false;
    await Promise.all(folders);
    await expectEqualToRaw("after concurrent writes, unfolded rest");
    while ((await fold()) > 0);
    await expectEqualToRaw("after concurrent writes, folded");
  }, 180_000);

  it("gives the history charts' days and /metrics' totals as the raw log does", async () => {
    await seedLogs(200, 7);
    const { rows: daily } = await db.pool.query(
      "select autoexec.execution_daily('2026-02-27T05:00:00Z', '2026-03-03T07:30:00Z', true) as d",
    );
    const { rows: rawDays } = await db.pool.query(
      `select date_trunc('day', executed_at, 'UTC') as day, count(*) filter (where success)::int as succeeded,
         count(*) filter (where not success)::int as failed, count(*) filter (where rolled_back_at is not null)::int as rb,
         count(*) filter (where mode = 'dry_run')::int as dry
       from autoexec.execution_logs
       where executed_at >= '2026-02-27T00:00:00Z' and executed_at < '2026-03-03T07:30:00Z'
       group by 1 order by 1`,
    );
    expect(
      daily[0].d.days.map((d: Record<string, number | string>) => [
        new Date(String(d.day)).toISOString(),
        d.succeeded,
        d.failed,
        d.rolledBack,
        d.dryRuns,
      ]),
    ).toEqual(rawDays.map((d) => [d.day.toISOString(), d.succeeded, d.failed, d.rb, d.dry]));

    const { rows: snapshot } = await db.pool.query("select autoexec.observability_snapshot() as s");
    const s = snapshot[0].s;
    const { rows: raw } = await db.pool.query(
      `select
         (select jsonb_agg(x order by x.type, x.tier, x.mode, x.outcome) from (
           select action_type as type, execution_tier as tier, mode,
             case when success then 'success' else 'failure' end as outcome, count(*) as count
           from autoexec.execution_logs group by 1, 2, 3, 4) x) as executions,
         (select jsonb_agg(x order by x.type) from (
           select action_type as type, count(*) as count from autoexec.execution_logs
           where rolled_back_at is not null group by 1) x) as rollbacks,
         (select jsonb_agg(x order by x.mode) from (
           select mode, count(*) as count, sum(duration_ms) as sum_ms,
             jsonb_build_array(count(*) filter (where duration_ms <= 5), count(*) filter (where duration_ms <= 10),
               count(*) filter (where duration_ms <= 25), count(*) filter (where duration_ms <= 50),
               count(*) filter (where duration_ms <= 100), count(*) filter (where duration_ms <= 250),
               count(*) filter (where duration_ms <= 500), count(*) filter (where duration_ms <= 1000),
               count(*) filter (where duration_ms <= 2500), count(*) filter (where duration_ms <= 5000),
               count(*) filter (where duration_ms <= 10000)) as buckets
           from autoexec.execution_logs group by mode) x) as durations,
         (select jsonb_agg(x order by x.status, x.tier) from (
           select status, execution_tier as tier, count(*) as count from autoexec.actions group by 1, 2) x) as actions,
         (select count(*) from autoexec.execution_logs l, autoexec.settings s
          where not l.success and l.attempt < s.max_attempts) as retries`,
    );
    const sorted = (list: Record<string, unknown>[], keys: string[]) =>
      [...list].sort(
        (a, b) => keys.map((k) => String(a[k]).localeCompare(String(b[k]))).find((c) => c !== 0) ?? 0,
      );
    expect(sorted(s.executions, ["type", "tier", "mode", "outcome"])).toEqual(raw[0].executions);
    expect(sorted(s.rollbacks, ["type"])).toEqual(raw[0].rollbacks);
    expect(sorted(s.durations, ["mode"])).toEqual(raw[0].durations);
    expect(sorted(s.actions, ["status", "tier"])).toEqual(raw[0].actions);
    expect(s.retries).toBe(Number(raw[0].retries));
    // Statuses move in execution transactions: the counts follow through the journal.
    await db.pool.query(
      "update autoexec.actions set status = 'ROLLED_BACK' where id % 9 = 0 and status = 'EXECUTED'",
    );
    await fold();
    const { rows: again } = await db.pool.query("select autoexec.observability_snapshot() -> 'actions' as a");
    const { rows: rawAgain } = await db.pool.query(
      `select jsonb_agg(x order by x.status, x.tier) as a from (
         select status, execution_tier as tier, count(*) as count from autoexec.actions group by 1, 2) x`,
    );
    expect(sorted(again[0].a, ["status", "tier"])).toEqual(rawAgain[0].a);
    await expectEqualToRaw("at the end");
  }, 120_000);

  it("refuses a range with an infinite end with a readable reason", async () => {
    await expect(
      db.pool.query("select autoexec.execution_stats('-infinity', '2026-01-01T00:00:00Z')"),
    ).rejects.toThrow(/finite/);
  });
});
