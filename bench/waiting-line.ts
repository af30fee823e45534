import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { fmt, int, progress, type Stats, summarize } from "./lib/output.ts";

/**
 * The waiting line (docs/waiting.md): with a backlog of N eligible actions waiting behind a full rolling
 * hour, what does each freed slot cost, and how fast is an approval while the backlog waits?
 *   - the backlog is loaded the way the agent sends a batch, one INSERT … SELECT (while others wait, new
 *     actions join the line at insert, holding no job);
 *   - the hour's ten executions are backdated so that they leave the window one after another within
 *     seconds; the worker starts, hands the freed slots to the head of the line and executes them;
 *   - transactions committed (pg_stat_database) and start_execution calls (pg_stat_user_functions) are
 *     read before and after, on connections of their own, once the worker's connections have closed
 *     (closing flushes a backend's statistics).
 */
export interface LineRun {
  backlog: number;
  freed: number;
  loadSeconds: number;
  forecastMs: number;
  /** A settings change (a raised limit): re-evaluating the waiting actions, once; how many it rewrote. */
  reevaluateMs: number;
  rewritten: number;
  /** The reasons of the line's 50 most valuable actions (a Queue page), worded when read. */
  reasonsPageMs: number;
  executionsPerSlot: number;
  transactionsPerSlot: number;
  approval?: Stats;
}

export interface WorkerControl {
  stop(): Promise<void>;
}

const FREED = 10;

export async function waitingLineRun(
  url: string,
  adminUrl: string,
  startWorker: () => Promise<WorkerControl>,
  backlog: number,
  approvals: number,
): Promise<LineRun> {
  const admin = new pg.Client({ connectionString: adminUrl, application_name: "autoexec-bench-line" });
  await admin.connect();
  try {
    progress(`waiting line, ${int(backlog)} waiting: resetting, filling the hour`);
    const name = (await one(admin, "select current_database()")) as string;
    await admin.query(`alter database ${admin.escapeIdentifier(name)} set track_functions = 'pl'`);
    await admin.query(`
      select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs));
      update autoexec.actions set status = 'EXPIRED', status_reason = 'benchmark reset'
        where status in ('PENDING', 'APPROVED');
      update autoexec.settings set enabled = true, dry_run = false, hourly_limit = ${FREED}, daily_limit = 1000000,
        rate_limit_key_limit = 1000000, failures_before_cooldown = 1000, breaker_failure_rate = 1;`);
    // The earlier phases' executions move a day back (this superuser session skips the log's
    // append-only trigger), so the windows hold only the ten below.
    await admin.query(`begin; set local session_replication_role = replica;
      update autoexec.execution_logs set executed_at = executed_at - interval '25 hours'
        where executed_at > now() - interval '25 hours';
      commit;`);
    // The hour's executions, half an hour ago: the window is full.
    await admin.query(`
      with m as (insert into content.mods (slug, title, externally_modified_at)
                 select 'bench-hour-' || g || '-' || md5(random()::text), 'Hour', now() - interval '2 days'
                 from generate_series(1, ${FREED}) g returning id),
           a as (insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
                 select 'ADD_AFFILIATE_LINK', jsonb_build_object('modId', id), 0.9, 1 from m returning id)
      insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
        attempt, input_data, success, duration_ms)
      select id, 'ADD_AFFILIATE_LINK', 1, now() - interval '30 minutes', 'auto', 'live', 1, '{}', true, 1 from a;
      update autoexec.actions set status = 'EXECUTED' where status = 'PENDING';`);
    // One action starts the line (as if a worker had found the hour full); every one the batch inserts
    // then joins it at insert.
    const head = await one(
      admin,
      `with m as (insert into content.mods (slug, title, externally_modified_at)
                  values ('bench-line-head-' || md5(random()::text), 'Head', now() - interval '2 days') returning id)
       insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       select 'ADD_AFFILIATE_LINK', jsonb_build_object('modId', id, 'affiliateType', 'amazon',
         'affiliateUrl', 'https://www.amazon.com/dp/B000BENCH?tag=musthavemods'), 0.9, 0.2 from m returning id`,
    );
    await admin.query("update autoexec.actions set wait_kind = 'line' where id = $1", [head]);
    const loadStarted = performance.now();
    await admin.query(
      `with m as (insert into content.mods (slug, title, externally_modified_at)
                  select 'bench-line-' || g || '-' || md5(random()::text), 'Line ' || g, now() - interval '2 days'
                  from generate_series(1, $1::int) g returning id)
       insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       select 'ADD_AFFILIATE_LINK', jsonb_build_object('modId', id, 'affiliateType', 'amazon',
                'affiliateUrl', 'https://www.amazon.com/dp/B000BENCH?tag=musthavemods'),
              0.75 + random() * 0.25, 0.2 + random() * 50
       from m`,
      [backlog - 1],
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Only the line waits now: the setup's own jobs (the hour's actions) are done with.
    await admin.query("select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs))");
    await admin.query("vacuum analyze autoexec.actions");
    const forecastStarted = performance.now();
    await admin.query("select autoexec.waiting_line_forecast()");
    const forecastMs = performance.now() - forecastStarted;
    const waiting = Number(
      await one(admin, "select count(*) from autoexec.actions where wait_kind = 'line'"),
    );
    progress(
      `waiting line: ${int(waiting)} in line (loaded in ${fmt(loadSeconds, 1)} s; the whole line's forecast took ` +
        `${fmt(forecastMs, 0)} ms); freeing ${FREED} slots`,
    );

    const before = await counters(url);
    const since = await one(admin, "select now()");
    await freeSlots(admin, 1_000, 400);
    const worker = await startWorker();
    const watcher = new pg.Client({ connectionString: url, application_name: "autoexec-bench-watch" });
    await watcher.connect();
    let polls = 0;
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        polls += 1;
        const executed = Number(
          await one(
            watcher,
            "select count(*) from autoexec.execution_logs where executed_by = 'auto' and success and executed_at > $1",
            [since],
          ),
        );
        if (executed >= FREED) break;
        if (Date.now() > deadline)
          throw new Error(`only ${executed} of ${FREED} freed slots were used in 60 s`);
        await sleep(250);
      }
      await sleep(1_500); // the dispatcher's follow-up runs land
    } finally {
      await watcher.end();
      await worker.stop();
    }
    const after = await counters(url);
    // A change re-evaluates the waiting actions once (only a changed kind of wait is written; reasons
    // are worded when read): its cost, and a Queue page's reasons under it, in a transaction rolled back.
    await admin.query("begin");
    await admin.query("update autoexec.settings set hourly_limit = hourly_limit + 1");
    const reevaluateStarted = performance.now();
    const rewritten = Number(await one(admin, "select autoexec_private.reevaluate_waiting()"));
    const reevaluateMs = performance.now() - reevaluateStarted;
    const pageStarted = performance.now();
    await admin.query(
      `select autoexec.actions_status_reason(a) from autoexec.actions a where wait_kind = 'line'
       order by expected_value desc, created_at, id limit 50`,
    );
    const reasonsPageMs = performance.now() - pageStarted;
    await admin.query("rollback");
    const executions = after.starts - before.starts;
    // The watcher's polls and the two counter reads are transactions of the benchmark, not of the engine.
    const transactions = after.commits - before.commits - polls - 2;
    const run: LineRun = {
      backlog: waiting,
      freed: FREED,
      loadSeconds,
      forecastMs,
      reevaluateMs,
      rewritten,
      reasonsPageMs,
      executionsPerSlot: executions / FREED,
      transactionsPerSlot: transactions / FREED,
    };
    progress(
      `waiting line, ${int(waiting)} waiting: ${fmt(run.executionsPerSlot, 1)} executions and ${fmt(run.transactionsPerSlot, 1)} ` +
        "transactions per freed slot (including the worker's own start and stop)",
    );
    if (approvals > 0) run.approval = await approvalsWhileWaiting(adminUrl, admin, startWorker, approvals);
    return run;
  } finally {
    await admin.end();
  }
}

/**
 * Tier 2 approve -> EXECUTED, one approval at a time, while the backlog waits and slots free (the hour's
 * executions are backdated again to leave the window one by one during the approvals).
 */
async function approvalsWhileWaiting(
  adminUrl: string,
  admin: pg.Client,
  startWorker: () => Promise<WorkerControl>,
  count: number,
): Promise<Stats> {
  const { rows } = await admin.query<{ id: number }>(
    `with m as (insert into content.mods (slug, title, externally_modified_at)
                select 'bench-line-approval-' || g || '-' || md5(random()::text), 'Approval', now() - interval '2 days'
                from generate_series(1, $1::int) g returning id)
     insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select 'EXPAND_CONTENT', jsonb_build_object('modId', id, 'content', 'Approved text ' || id), 0.9, 5 from m
     returning id`,
    [count],
  );
  const since = await one(admin, "select now()");
  const worker = await startWorker();
  // The API's admin role, as a GraphQL approveAction runs it (this superuser session sets it).
  const approver = new pg.Client({ connectionString: adminUrl, application_name: "autoexec-bench-approver" });
  await approver.connect();
  try {
    await freeSlots(admin, 500, Math.max(200, Math.round((count * 12) / FREED)));
    progress(`waiting line: ${count} approvals one at a time while slots free`);
    for (const { id } of rows) {
      await approver.query(
        "begin; set local role autoexec_admin; select set_config('jwt.claims.sub', 'bench-admin', true)",
      );
      await approver.query("select autoexec.approve_action($1, 'bench')", [id]);
      await approver.query("commit");
      const deadline = Date.now() + 10_000;
      while (
        (await one(approver, "select status from autoexec.actions where id = $1", [id])) !== "EXECUTED"
      ) {
        if (Date.now() > deadline) throw new Error(`approved action ${id} did not execute within 10 s`);
        await sleep(1);
      }
      await sleep(5);
    }
  } finally {
    await approver.end();
    await worker.stop();
  }
  const { rows: latencies } = await admin.query<{ ms: number }>(
    `select extract(epoch from l.executed_at - a.reviewed_at)::float8 * 1000 as ms
     from autoexec.actions a join autoexec.execution_logs l on l.action_id = a.id and l.success and l.mode = 'live'
     where a.id = any($1::bigint[])`,
    [rows.map((row) => row.id)],
  );
  const executedInWindow = Number(
    await one(
      admin,
      "select count(*) from autoexec.execution_logs where executed_by = 'auto' and success and executed_at > $1",
      [since],
    ),
  );
  const stats = summarize(latencies.map((row) => row.ms));
  progress(
    `waiting line: approve -> EXECUTED p50 ${fmt(stats.p50, 2)} ms, p95 ${fmt(stats.p95, 2)} ms; ` +
      `${executedInWindow} automatic executions took freed slots meanwhile`,
  );
  return stats;
}

/** Backdates the hour's automatic executions so they leave the window one every `everyMs` from `firstInMs`. */
async function freeSlots(admin: pg.Client, firstInMs: number, everyMs: number): Promise<void> {
  await admin.query("begin");
  await admin.query("set local session_replication_role = replica"); // the log is append-only otherwise
  await admin.query(
    `update autoexec.execution_logs l set executed_at = now() - interval '1 hour'
       + make_interval(secs => ($1::int + (w.n - 1) * $2::int) / 1000.0)
     from (select id, row_number() over (order by executed_at, id) as n from autoexec.execution_logs
           where success and mode = 'live' and executed_by = 'auto' and executed_at > now() - interval '1 hour') w
     where l.id = w.id`,
    [firstInMs, everyMs],
  );
  // The dispatcher looks now, and schedules itself for when the first of them leaves the window.
  await admin.query("select autoexec_private.wake_dispatcher()");
  await admin.query("commit");
}

/** Transactions committed in the database and start_execution calls, read on a connection of its own. */
export async function counters(url: string): Promise<{ commits: number; starts: number }> {
  const client = new pg.Client({ connectionString: url, application_name: "autoexec-bench-counters" });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select (select xact_commit from pg_stat_database where datname = current_database())::float8 as commits,
         coalesce((select calls from pg_stat_user_functions
                   where schemaname = 'autoexec_private' and funcname = 'start_execution'), 0)::float8 as starts`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

async function one(client: pg.Client, sql: string, params: unknown[] = []): Promise<unknown> {
  const { rows } = await client.query(sql, params);
  return Object.values(rows[0] ?? {})[0];
}

export function printWaitingLine(runs: LineRun[]): void {
  console.log(
    "\nWaiting line: a freed slot's cost with a backlog waiting behind a full hour (targets: ~5 executions and ~50 transactions per slot, flat)",
  );
  for (const run of runs) {
    console.log(
      `  ${int(run.backlog).padStart(8)} waiting: ${fmt(run.executionsPerSlot, 1)} executions attempted and ` +
        `${fmt(run.transactionsPerSlot, 1)} transactions committed per freed slot (${run.freed} freed; backlog loaded in ` +
        `${fmt(run.loadSeconds, 1)} s; the whole line's forecast ${fmt(run.forecastMs, 0)} ms; a settings change ` +
        `re-evaluated in ${fmt(run.reevaluateMs, 0)} ms, ${int(run.rewritten)} rewritten; a page of 50 reasons read ` +
        `${fmt(run.reasonsPageMs, 1)} ms)`,
    );
  }
  const [small, large] = [runs[0], runs.at(-1)];
  if (small && large && small !== large) {
    console.log(
      `  ratio ${int(large.backlog)} / ${int(small.backlog)}: executions ${fmt(large.executionsPerSlot / small.executionsPerSlot, 2)}, ` +
        `transactions ${fmt(large.transactionsPerSlot / small.transactionsPerSlot, 2)} (flat = 1)`,
    );
  }
  for (const run of runs) {
    if (!run.approval) continue;
    const verdict = run.approval.p95 <= 25 ? "PASS" : "MISS";
    console.log(
      `  Tier 2 approve -> EXECUTED with ${int(run.backlog)} waiting and slots freeing: p50 ${fmt(run.approval.p50, 2)} ms, ` +
        `p95 ${fmt(run.approval.p95, 2)} ms over ${run.approval.n} approvals (target p95 <= 25 ms: ${verdict})`,
    );
  }
}
