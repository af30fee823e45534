// Throughput: N jobs or actions queued while no worker runs, then drained by a worker started on them.
// The raw and the autoexec drains run back to back (bench/run.ts alternates them), so that both see
// the same machine.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { type Bench, HUGE_LIMIT, PHASE_TIMEOUT_MS } from "./lib/context.ts";
import { cpuSample, cpuSince } from "./lib/cpu.ts";
import { JobWatch, numberFields } from "./lib/job-watch.ts";
import { fmt, int, progress } from "./lib/output.ts";
import type { Diagnostics, Drain, ProfileRow } from "./lib/report.ts";
import type { StartedWorker } from "./lib/workers.ts";

export interface Throughput extends Drain {
  profile?: ProfileRow[];
}

/** 1. Raw graphile-worker: N no-op jobs enqueued in bulk, then drained by a worker started on them. */
export async function rawThroughput(bench: Bench): Promise<Throughput> {
  const { agent, sizes } = bench;
  progress(`raw graphile-worker: enqueueing ${int(sizes.jobs)} no-op jobs with graphile_worker.add_jobs`);
  const enqueueStart = performance.now();
  await agent.query(
    `select count(*) from graphile_worker.add_jobs((
       select array_agg(row('noop', json_build_object('seq', -g), null, null, null, null, null, null)
                        ::graphile_worker.job_spec)
       from generate_series(1, $1::int) g))`,
    [sizes.jobs],
  );
  progress(
    `raw: enqueued in ${fmt((performance.now() - enqueueStart) / 1000, 2)} s; vacuum analyze jobs table`,
  );
  await agent.query("vacuum analyze graphile_worker._private_jobs");

  const started = cpuSample();
  const { runner, stop } = await bench.workers.plain(() => ({ noop: async () => {} }));
  const watch = new JobWatch(runner, "noop", (payload) => numberFields(payload, "seq"));
  const finished = await watch.allDone(sizes.jobs, "raw drain", started.wall, PHASE_TIMEOUT_MS);
  const cpu = cpuSince(started);
  await sleep(200); // let the last fire-and-forget completions land
  await stop();
  const seconds = (finished - started.wall) / 1000;
  progress(
    `raw: drained ${int(sizes.jobs)} no-op jobs in ${fmt(seconds, 2)} s = ${int(sizes.jobs / seconds)} jobs/s`,
  );
  return { perSecond: sizes.jobs / seconds, seconds, cpu };
}

/**
 * 2. autoexec: N eligible Tier 1 actions, each on its own mod (last edited two days ago), inserted while
 * no worker runs (the insert trigger enqueues their jobs), then drained by the engine's own worker.
 */
export async function autoexecThroughput(bench: Bench, round: number): Promise<Throughput> {
  const { agent } = bench;
  await agent.query(
    `update autoexec.settings set enabled = true, dry_run = false,
       hourly_limit = $1, daily_limit = $1, rate_limit_key_limit = $1`,
    [HUGE_LIMIT],
  );
  progress(`autoexec: settings live (enabled, dry_run off), hourly/daily/per-key limits ${int(HUGE_LIMIT)}`);

  await insertBacklog(bench, `bench-backlog-${round}`);
  const profiling = bench.profile && (await startProfile(agent));
  const drain = await drainBacklog(bench, "autoexec", () => bench.workers.autoexec());
  // Read after the drain: stopping the worker adds a handful of statements, too few to show.
  return { ...drain, profile: profiling ? await readProfile(agent) : undefined };
}

/**
 * Starts a worker on a backlog of sizes.actions queued execute_action jobs and times it until the last
 * one succeeded; then every action inserted so far must have ended EXECUTED.
 */
async function drainBacklog(
  bench: Bench,
  label: string,
  startDrainWorker: () => Promise<StartedWorker>,
): Promise<Throughput> {
  const { agent, sizes } = bench;
  const started = cpuSample();
  const { runner, stop } = await startDrainWorker();
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  const finished = await watch.allDone(sizes.actions, `${label} drain`, started.wall, PHASE_TIMEOUT_MS);
  const cpu = cpuSince(started);
  await stop();
  await expectAllExecuted(agent, watch.errors);
  const seconds = (finished - started.wall) / 1000;
  progress(
    `${label}: executed ${int(sizes.actions)} actions in ${fmt(seconds, 2)} s = ${int(sizes.actions / seconds)} actions/s`,
  );
  return { perSecond: sizes.actions / seconds, seconds, cpu };
}

/**
 * N eligible Tier 1 actions, each on its own new mod (last edited two days ago), inserted in one
 * transaction while no worker runs: the insert trigger classifies them and enqueues their jobs.
 */
async function insertBacklog(
  bench: Bench,
  slugPrefix: string,
  { oneStatementEach = false } = {},
): Promise<void> {
  const { agent, sizes } = bench;
  const started = performance.now();
  await agent.query("begin");
  await agent.query(
    `insert into content.mods (slug, title, externally_modified_at)
     select $2 || '-' || g, 'Bench mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g`,
    [sizes.actions, slugPrefix],
  );
  // The agent's INSERT: the trigger classifies each action and enqueues its execution, in batch jobs
  // when one statement inserts many; oneStatementEach inserts them one by one (a job each).
  const insertActions = (from: number, to: number) =>
    agent.query(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select case when g % 2 = 0 then 'UPDATE_META_DESCRIPTION' else 'ADD_AFFILIATE_LINK' end,
            case when g % 2 = 0
              then jsonb_build_object('modId', m.id, 'metaDescription', 'Benchmark description of mod ' || m.id)
              else jsonb_build_object('modId', m.id, 'affiliateType', 'amazon',
                     'affiliateUrl', 'https://www.amazon.com/dp/B0BENCH' || m.id || '?tag=musthavemods')
            end,
            0.9, 5
     from generate_series($1::int, $3::int) g
     join content.mods m on m.slug = $2 || '-' || g
     order by g`,
      [from, slugPrefix, to],
    );
  if (oneStatementEach) {
    for (let g = 1; g <= sizes.actions; g++) await insertActions(g, g);
  } else {
    await insertActions(1, sizes.actions);
  }
  await agent.query("commit");
  const { rows: queued } = await agent.query<{ count: number }>(
    "select count(*)::int as count from graphile_worker.jobs where task_identifier = 'execute_action'",
  );
  progress(
    `inserted ${int(sizes.actions)} Tier 1 actions ${oneStatementEach ? "one INSERT each" : "in one INSERT"} ` +
      `(half UPDATE_META_DESCRIPTION, half ADD_AFFILIATE_LINK, ` +
      `each on its own mod) with no worker running in ${fmt((performance.now() - started) / 1000, 2)} s; ` +
      `${int(queued[0]?.count ?? 0)} execute_action jobs queued; vacuum analyze`,
  );
  await agent.query("vacuum analyze graphile_worker._private_jobs");
  await agent.query("vacuum analyze autoexec.actions");
  await agent.query("vacuum analyze content.mods");
}

/**
 * 2c. The same engine on a backlog the agent inserted one row per statement: no batch jobs, each action
 * its own keyed job, as an agent that proposes one action at a time produces. For reference.
 */
export async function oneJobEachThroughput(bench: Bench): Promise<Throughput> {
  await insertBacklog(bench, "bench-one-each", { oneStatementEach: true });
  return drainBacklog(bench, "autoexec, one job per action", () => bench.workers.autoexec());
}

/**
 * 2b. The ceiling of one transaction per action on this machine: the same backlog executed by a
 * graphile-worker task that makes ONE database call per action, a PL/pgSQL function that locks the
 * action, changes the mod, writes the execution log and marks the action EXECUTED. No guards, no rate
 * limits, no TypeScript handler, no rollback data: not a way to run autoexec, a yardstick for the
 * target. The function lives in a schema of the benchmark's own database, which is dropped at the end.
 */
export async function ceilingThroughput(bench: Bench): Promise<Throughput> {
  await bench.agent.query(`
    create schema if not exists autoexec_bench;
    grant usage on schema autoexec_bench to public;
    create or replace function autoexec_bench.execute_in_one_call(p_action_id bigint) returns void
    language plpgsql volatile set search_path = pg_catalog as $$
    declare
      a autoexec.actions;
      v_now timestamptz := clock_timestamp();
    begin
      perform set_config('autoexec.engine_executing', 'on', true);
      -- As the engine's worker commits its executions (docs/operations.md, "Durability").
      perform set_config('synchronous_commit', 'off', true);
      select * into a from autoexec.actions where id = p_action_id for update;
      if a.status <> 'PENDING' then
        return;
      end if;
      if a.type = 'UPDATE_META_DESCRIPTION' then
        update content.mods set meta_description = a.action_data ->> 'metaDescription'
        where id = (a.action_data ->> 'modId')::bigint;
      else
        update content.mods set affiliate_links = affiliate_links || jsonb_build_array(
          jsonb_build_object('url', a.action_data ->> 'affiliateUrl', 'type', a.action_data ->> 'affiliateType'))
        where id = (a.action_data ->> 'modId')::bigint;
      end if;
      insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
        attempt, input_data, output_data, success, duration_ms, rollback_data)
      values (a.id, a.type, a.execution_tier, v_now, 'auto', 'live', 1, a.action_data, '{}', true, 0, '{}');
      update autoexec.actions set status = 'EXECUTED', executed_at = v_now, execution_attempts = 1,
        last_attempt_at = v_now
      where id = a.id;
    end;
    $$;
    grant execute on function autoexec_bench.execute_in_one_call(bigint) to public;`);
  await insertBacklog(bench, "bench-ceiling");
  return drainBacklog(bench, "ceiling (one call per action)", () => startCeilingWorker(bench));
}

/** A plain graphile-worker whose execute_action task makes the one call. */
function startCeilingWorker(bench: Bench): Promise<StartedWorker> {
  return bench.workers.plain((pool) => ({
    // A batch job's actions one after another, as the engine's task runs them.
    execute_action: async (payload) => {
      for (const actionId of numberFields(payload, "actionId")) {
        await pool.query("select autoexec_bench.execute_in_one_call($1)", [actionId]);
      }
    },
  }));
}

/**
 * Every action the benchmark inserted so far (the backlogs, then the latency probes) must have ended
 * EXECUTED; anything else means a guard refused it.
 */
export async function expectAllExecuted(agent: pg.Client, jobErrors: number): Promise<void> {
  const { rows } = await agent.query<{ status: string; count: number; reason: string | null }>(
    `select status, count(*)::int as count, min(status_reason) as reason
     from autoexec.actions group by status order by status`,
  );
  if (rows.some((row) => row.status !== "EXECUTED") || jobErrors > 0) {
    const detail = rows.map((row) => `${row.status}: ${row.count}${row.reason ? ` (${row.reason})` : ""}`);
    throw new Error(`every action should have been EXECUTED; ${jobErrors} job errors; ${detail.join("; ")}`);
  }
}

/**
 * The serial section of a live execution: claim_execution_slot takes a global advisory lock that is held
 * until the execution commits, and counts the live executions in the windows whose limit can bind.
 * Timed as one statement of 50 calls, in a transaction that is rolled back.
 */
export async function diagnose(bench: Bench): Promise<Diagnostics> {
  const { agent, log } = bench;
  const { rows: window } = await agent.query<{ count: number }>(
    `select count(*)::int as count from autoexec.execution_logs
     where success and mode = 'live' and executed_by = 'auto' and executed_at > now() - interval '24 hours'`,
  );
  const calls = 50;
  const windowRows = window[0]?.count ?? 0;
  await agent.query("begin");
  try {
    const started = performance.now();
    // Correlated with g (g > 0 is always true), so the function runs once per row, not once in all.
    await agent.query(
      `select count(*) from generate_series(1, $1::int) g
         cross join autoexec.actions a
         join autoexec.action_types t on t.type = a.type
         cross join autoexec.settings s
         cross join lateral autoexec_private.claim_execution_slot(a, s, t, g > 0)
       where a.id = (select max(id) from autoexec.actions)`,
      [calls],
    );
    return { windowRows, claimSlotMs: (performance.now() - started) / calls };
  } catch (error) {
    log.warn({ err: error }, "could not time claim_execution_slot");
    return { windowRows, claimSlotMs: Number.NaN };
  } finally {
    await agent.query("rollback");
  }
}

/** Resets pg_stat_statements; false (with a note) when the server has not loaded it. */
async function startProfile(agent: pg.Client): Promise<boolean> {
  try {
    await agent.query("create extension if not exists pg_stat_statements");
    await agent.query("select pg_stat_statements_reset()");
    return true;
  } catch (error) {
    progress(`--profile: pg_stat_statements is not available (${(error as Error).message}); no profile`);
    return false;
  }
}

async function readProfile(agent: pg.Client): Promise<ProfileRow[]> {
  const { rows } = await agent.query<ProfileRow>(
    `select calls::int as calls, total_exec_time::float8 as total_ms, (total_exec_time / calls)::float8 as mean_ms,
            toplevel, regexp_replace(query, '\\s+', ' ', 'g') as query
     from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database()) and calls > 0
     order by total_exec_time desc limit 15`,
  );
  return rows;
}
