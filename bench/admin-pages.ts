/**
 * npm run bench -- --pages
 *
 * The admin UI at scale (issue 14): with 1,000,000 actions and 1,000,000 execution logs, every GraphQL
 * document the queue and history pages send, through the real app (createApp: JWT, PostGraphile, the
 * viewer role), timed as the browser would send it. Target: each answers in ≤ 50 ms (median of 5 warm
 * requests; the slowest of them is printed too). See docs/BENCHMARKS.md.
 */
import type pg from "pg";
import { type DocumentNode, print } from "postgraphile/graphql";
import { createApp } from "../src/http/app.ts";
import { createServerPools } from "../src/http/db.ts";
import { secretKey, signToken } from "../src/http/jwt.ts";
import type { Logger } from "../src/logger.ts";
import { HISTORY_LOGS } from "../web/src/history-queries.ts";
import { ACTION_TYPES, CHARTS, ENGINE_STATUS } from "../web/src/queries.ts";
import { MATCHING_IDS, QUEUE_PAGE } from "../web/src/queue-queries.ts";
import { bulkLoad } from "./lib/history.ts";
import { fmt, int, progress, summarize } from "./lib/output.ts";

export const PAGE_QUERY_TARGET_MS = 50;
const ACTIONS = 1_000_000;
const MODS = 5_000;
/** Failed actions get this many extra failed attempts, so that the logs reach exactly ACTIONS rows. */
const EXTRA_ATTEMPTS = 5;

/**
 * 1,000,000 actions over about a year (one every 31 s) on 5,000 mods: 0.5% pending, 0.1% failed, 10%
 * rejected, the rest executed; Tier 2 ones decided (an audit event each). One execution log per decided
 * action plus extra attempts of the failed ones: 1,000,000 logs, 2% dry runs, 5% failed.
 */
async function loadQueueData(pool: pg.Pool): Promise<void> {
  await pool.query(
    `insert into content.mods (slug, title, body, externally_modified_at)
     select 'mod-' || g, 'Mod number ' || g || case when g % 500 = 0 then ' Harvest' else '' end, '', now() - interval '3 days'
     from generate_series(1, $1::int) g`,
    [MODS],
  );
  await bulkLoad(pool, async (client) => {
    await client.query(
      `with types(n, type, tier) as (values (0, 'ADD_AFFILIATE_LINK', 1), (1, 'UPDATE_META_DESCRIPTION', 1),
         (2, 'ADD_TO_COLLECTION', 1), (3, 'GENERATE_INTERNAL_LINK_SUGGESTIONS', 1), (4, 'EXPAND_CONTENT', 2),
         (5, 'ADD_AD_SLOT', 2), (6, 'CREATE_COLLECTION_PAGE', 2))
       insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact,
         execution_tier, status, rate_limit_key, created_at, reviewed_by, reviewed_at, execution_attempts)
       select t.type, jsonb_build_object('modId', (select id from content.mods order by id limit 1) + g % $2),
         0.5 + (g::bigint * 7919 % 500) / 1000.0, (g::bigint * 104729 % 5000) / 100.0, t.tier,
         case when g % 200 = 0 then 'PENDING' when g % 1000 = 1 then 'FAILED' when g % 10 = 2 then 'REJECTED'
           else 'EXECUTED' end,
         'mod:' || g % $2, now() - g * interval '31 seconds',
         case when t.tier = 2 and g % 200 <> 0 then 'alice' end,
         case when t.tier = 2 and g % 200 <> 0 then now() - g * interval '31 seconds' + interval '20 minutes' end,
         case when g % 1000 = 1 then 1 + $3 else 1 end
       from generate_series(1, $1::int) g join types t on t.n = g % 7`,
      [ACTIONS, MODS, EXTRA_ATTEMPTS],
    );
    await client.query(
      `insert into autoexec.audit_events (occurred_at, actor, action, subject_type, subject_id, old_values, new_values)
       select a.reviewed_at, 'alice', case when a.status = 'REJECTED' then 'action.rejected' else 'action.approved' end,
         'action', a.id::text, '{"status": "PENDING"}', jsonb_build_object('status', a.status)
       from autoexec.actions a where a.reviewed_at is not null`,
    );
    await client.query(
      `insert into autoexec.execution_logs (action_id, action_type, execution_tier, rate_limit_key, executed_at,
         executed_by, mode, attempt, input_data, success, error_message, duration_ms)
       select a.id, a.type, a.execution_tier, a.rate_limit_key, a.created_at + interval '30 minutes' + attempt * interval '1 minute',
         case when a.execution_tier = 1 then 'auto' else 'approved' end,
         case when a.id % 50 = 0 then 'dry_run' else 'live' end, attempt, '{}',
         a.status <> 'FAILED' and a.id % 20 <> 0, case when a.status = 'FAILED' or a.id % 20 = 0 then 'failed' end, 7
       from autoexec.actions a
       cross join lateral generate_series(1, case when a.status = 'FAILED' then 1 + $1 else 1 end) attempt
       where a.status <> 'PENDING' and a.status <> 'REJECTED' or (a.status = 'REJECTED' and a.id % 2 = 0)`,
      [EXTRA_ATTEMPTS],
    );
  });
}

interface Timed {
  page: "queue" | "history" | "every page";
  name: string;
  p50: number;
  max: number;
}

/** Loads the data, starts the app on `url` (a superuser or owner login), times every page document. */
export async function adminPagesTiming(url: string, pool: pg.Pool, log: Logger): Promise<void> {
  progress(`admin pages: loading ${int(ACTIONS)} actions and about as many execution logs (bulk)`);
  const started = performance.now();
  await loadQueueData(pool);
  const { rows: counts } = await pool.query<{ actions: string; logs: string; audit: string }>(
    `select (select count(*) from autoexec.actions) as actions, (select count(*) from autoexec.execution_logs) as logs,
       (select count(*) from autoexec.audit_events) as audit`,
  );
  const sizes = counts[0];
  // As autovacuum would have by the time a table holds a million rows: hint bits and the visibility map.
  await pool.query("vacuum analyze autoexec.actions, autoexec.execution_logs, autoexec.audit_events");
  progress(
    `admin pages: ${int(Number(sizes?.actions))} actions, ${int(Number(sizes?.logs))} execution logs, ` +
      `${int(Number(sizes?.audit))} audit events loaded in ${fmt((performance.now() - started) / 1000, 1)} s`,
  );
  const secret = "bench-secret-for-the-admin-pages-0123456789";
  const pools = createServerPools(url, log, { statementTimeoutMs: 30_000, max: 4 });
  const built = await createApp({ ...pools, jwtSecret: secret, log });
  const token = await signToken({ sub: "bench", role: "viewer" }, secretKey(secret), "1h");
  const send = async (document: DocumentNode, variables: Record<string, unknown>) => {
    const query = print(document);
    const response = await built.app.request("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`${body.errors[0]?.message}`);
  };
  const { rows: latest } = await pool.query<{ id: string }>("select max(id) as id from autoexec.actions");
  const upToId = Number(latest[0]?.id);
  const queue = (name: string, filters: Record<string, unknown>) => ({
    page: "queue" as const,
    name,
    query: QUEUE_PAGE,
    variables: {
      search: null,
      status: null,
      tier: null,
      type: null,
      upToId: null,
      sort: "NEWEST",
      size: 25,
      offset: 0,
      ...filters,
    },
  });
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const charts = (dryRuns: boolean) => ({
    rangeStart: new Date(today - 29 * 86_400_000).toISOString(),
    rangeEnd: new Date(today + 86_400_000).toISOString(),
    dailyStart: new Date(today - 13 * 86_400_000).toISOString(),
    dryRuns,
  });
  // The history page sends each filter twice: as the list's condition and to the capped count.
  const logs = (condition: Record<string, unknown>, offset = 0) => ({
    condition,
    first: 25,
    offset,
    kind: condition.executedByKind ?? null,
    mode: condition.mode ?? null,
    success: condition.success ?? null,
    type: condition.actionType ?? null,
  });
  const documents = [
    { page: "every page" as const, name: "engine status (banner)", query: ENGINE_STATUS, variables: {} },
    { page: "every page" as const, name: "action types (filters)", query: ACTION_TYPES, variables: {} },
    queue("first page, newest first", {}),
    queue("live refresh of the frozen list (newer count)", { upToId: upToId - 500 }),
    queue("page 400, newest first", { offset: 399 * 25 }),
    queue("pending, by value", { status: "PENDING", sort: "VALUE" }),
    queue("pending, by confidence", { status: "PENDING", sort: "CONFIDENCE" }),
    queue("failed, oldest first", { status: "FAILED", sort: "OLDEST" }),
    queue("all, by value", { sort: "VALUE" }),
    queue("all, by impact", { sort: "IMPACT" }),
    queue("Tier 2 EXPAND_CONTENT, by confidence", {
      tier: "TIER_2",
      type: "EXPAND_CONTENT",
      sort: "CONFIDENCE",
    }),
    queue("search #id", { search: `#${upToId - 12_345}` }),
    queue("search rate-limit key mod:123", { search: "mod:123" }),
    queue("search mod title 'harvest' (10 mods)", { search: "harvest" }),
    queue("search mod slug 'mod-4242', pending", { search: "mod-4242", status: "PENDING" }),
    {
      page: "queue" as const,
      name: "select all 5,000 pending (ids)",
      query: MATCHING_IDS,
      variables: { search: null, status: "PENDING", tier: null, type: null, upToId },
    },
    { page: "history" as const, name: "metrics and charts, live", query: CHARTS, variables: charts(false) },
    {
      page: "history" as const,
      name: "metrics and charts, with dry runs",
      query: CHARTS,
      variables: charts(true),
    },
    { page: "history" as const, name: "executions, first page", query: HISTORY_LOGS, variables: logs({}) },
    {
      page: "history" as const,
      name: "executions, page 100",
      query: HISTORY_LOGS,
      variables: logs({}, 99 * 25),
    },
    {
      page: "history" as const,
      name: "executions run by AUTO, live",
      query: HISTORY_LOGS,
      variables: logs({ executedByKind: "AUTO", mode: "live" }),
    },
    {
      page: "history" as const,
      name: "executions failed",
      query: HISTORY_LOGS,
      variables: logs({ success: false }),
    },
    {
      page: "history" as const,
      name: "executions of EXPAND_CONTENT",
      query: HISTORY_LOGS,
      variables: logs({ actionType: "EXPAND_CONTENT" }),
    },
  ];
  const results: Timed[] = [];
  try {
    for (const document of documents) {
      const samples: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await send(document.query, document.variables);
        if (i > 0) samples.push(performance.now() - t0); // the first warms the plan and the cache
      }
      const stats = summarize(samples);
      results.push({ page: document.page, name: document.name, p50: stats.p50, max: Math.max(...samples) });
      progress(`admin pages: ${document.page} / ${document.name}: ${fmt(stats.p50, 1)} ms`);
    }
  } finally {
    await built.close();
    await Promise.all([pools.pool.end(), pools.executorPool.end()]);
  }
  printPageTimings(results, Number(sizes?.actions), Number(sizes?.logs));
}

function printPageTimings(results: Timed[], actions: number, logs: number): void {
  const width = Math.max(...results.map((row) => row.name.length)) + 2;
  console.log(
    `\nadmin pages over ${int(actions)} actions and ${int(logs)} execution logs: each GraphQL request the pages send,` +
      ` through the app as a viewer (median of 5 warm requests, slowest of them; target ≤ ${PAGE_QUERY_TARGET_MS} ms)`,
  );
  for (const row of results) {
    const verdict = row.p50 <= PAGE_QUERY_TARGET_MS ? "PASS" : "MISS";
    console.log(
      `  ${`${row.page}:`.padEnd(12)}${row.name.padEnd(width)}${fmt(row.p50, 1).padStart(7)} ms  (max ${fmt(row.max, 1)} ms)  ${verdict}`,
    );
  }
  const missed = results.filter((row) => row.p50 > PAGE_QUERY_TARGET_MS).length;
  console.log(
    missed
      ? `  ${missed} of ${results.length} requests MISS the ${PAGE_QUERY_TARGET_MS} ms target`
      : `  all ${results.length} requests PASS (≤ ${PAGE_QUERY_TARGET_MS} ms)`,
  );
}
