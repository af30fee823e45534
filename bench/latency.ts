// Latency: one job or action at a time, each after the previous one finished and a pause, so the
// queue is idle: raw add_job -> task start, the agent's INSERT -> EXECUTED, and Tier 2 approve -> EXECUTED.
import { setTimeout as sleep } from "node:timers/promises";
import type { Bench } from "./lib/context.ts";
import { JobWatch, numberFields } from "./lib/job-watch.ts";
import { fmt, progress, type Stats, summarize } from "./lib/output.ts";
import type { AutoexecResult } from "./lib/report.ts";
import { expectAllExecuted } from "./throughput.ts";

/** 3. Raw graphile-worker: add_job (its transaction start) -> the worker starts the job. */
export async function rawLatency(bench: Bench, offsetMs: number): Promise<Stats> {
  const { agent, sizes } = bench;
  progress(
    `raw: add_job -> task start latency, ${sizes.warmup} warm-up + ${sizes.samples} jobs one at a time`,
  );
  const { runner, stop } = await bench.workers.plain(() => ({ noop: async () => {} }));
  const watch = new JobWatch(runner, "noop", (payload) => numberFields(payload, "seq"));
  const latencies: number[] = [];
  for (let seq = 1; seq <= sizes.warmup + sizes.samples; seq++) {
    const { rows } = await agent.query<{ added_ms: number }>(
      `select extract(epoch from now())::float8 * 1000 as added_ms
       from graphile_worker.add_job('noop', json_build_object('seq', $1::int))`,
      [seq],
    );
    await watch.done(seq);
    const startedAt = watch.times.get(seq)?.startedAt;
    const addedAt = rows[0]?.added_ms;
    if (seq > sizes.warmup && startedAt !== undefined && addedAt !== undefined) {
      latencies.push(startedAt + offsetMs - addedAt);
    }
    if (seq % 100 === 0) progress(`raw latency: ${seq}/${sizes.warmup + sizes.samples}`);
    await sleep(sizes.gapMs);
  }
  await stop();
  const latency = summarize(latencies);
  progress(
    `raw: add_job -> start p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, p99 ${fmt(latency.p99, 2)} ms`,
  );
  return latency;
}

/**
 * 4. autoexec: the agent's INSERT (its transaction start, created_at) -> executed_at in the execution log;
 * also when the worker picked the job up and when the execution had committed (the task returned).
 */
export async function autoexecLatency(
  bench: Bench,
  offsetMs: number,
): Promise<Pick<AutoexecResult, "latency" | "pickup" | "committed">> {
  const { agent, sizes } = bench;
  progress(
    `autoexec: INSERT -> EXECUTED latency, ${sizes.warmup} warm-up + ${sizes.samples} actions one at a time`,
  );
  const count = sizes.warmup + sizes.samples;
  const { rows: mods } = await agent.query<{ id: number }>(
    `insert into content.mods (slug, title, externally_modified_at)
     select 'bench-latency-' || g, 'Latency mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g
     returning id`,
    [count],
  );
  const { runner, stop } = await bench.workers.autoexec();
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  const inserted: Array<{ id: number; createdMs: number }> = [];
  // As the agent does it: its own role, one INSERT per action, nothing else.
  await agent.query("set role autoexec_agent");
  for (const [index, mod] of mods.entries()) {
    const data = { modId: mod.id, metaDescription: `Latency probe for mod ${mod.id}` };
    const { rows } = await agent.query<{ id: number; created_ms: number }>(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       values ('UPDATE_META_DESCRIPTION', $1, 0.9, 5)
       returning id, extract(epoch from created_at)::float8 * 1000 as created_ms`,
      [JSON.stringify(data)],
    );
    const row = rows[0];
    if (!row) throw new Error("INSERT returned no row");
    await watch.done(row.id);
    if (index >= sizes.warmup) inserted.push({ id: row.id, createdMs: row.created_ms });
    if ((index + 1) % 100 === 0) progress(`autoexec latency: ${index + 1}/${count}`);
    await sleep(sizes.gapMs);
  }
  await agent.query("reset role");
  await stop();
  await expectAllExecuted(agent, watch.errors);

  const { rows: logs } = await agent.query<{ action_id: number; executed_ms: number }>(
    `select action_id, extract(epoch from executed_at)::float8 * 1000 as executed_ms
     from autoexec.execution_logs where success and mode = 'live' and action_id = any($1::bigint[])`,
    [inserted.map((action) => action.id)],
  );
  const executedMs = new Map(logs.map((row) => [row.action_id, row.executed_ms]));
  const latencies: number[] = [];
  const pickups: number[] = [];
  const commits: number[] = [];
  for (const action of inserted) {
    const executed = executedMs.get(action.id);
    const times = watch.times.get(action.id);
    if (executed === undefined || times?.startedAt === undefined || times.finishedAt === undefined) {
      throw new Error(`action ${action.id} has no execution log or no job events`);
    }
    latencies.push(executed - action.createdMs);
    pickups.push(times.startedAt + offsetMs - action.createdMs);
    commits.push(times.finishedAt + offsetMs - action.createdMs);
  }
  const latency = summarize(latencies);
  progress(
    `autoexec: INSERT -> EXECUTED p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, p99 ${fmt(latency.p99, 2)} ms`,
  );
  return { latency, pickup: summarize(pickups), committed: summarize(commits) };
}

/**
 * Tier 2: an admin approves a pending action (autoexec.approve_action, as the API does it) and the
 * worker executes it. Measured from the approval (reviewed_at, the approving transaction's time) to
 * executed_at of its log, one action at a time on an idle queue.
 */
export async function approvalLatency(bench: Bench): Promise<Stats> {
  const { agent, sizes } = bench;
  const count = sizes.warmup + sizes.samples;
  progress(
    `autoexec: approve -> EXECUTED latency (Tier 2), ${sizes.warmup} warm-up + ${sizes.samples} approvals one at a time`,
  );
  const { rows: mods } = await agent.query<{ id: number }>(
    `insert into content.mods (slug, title, externally_modified_at)
     select 'bench-approval-' || g, 'Approval mod ' || g, now() - interval '2 days' from generate_series(1, $1::int) g
     returning id`,
    [count],
  );
  await agent.query("set role autoexec_agent");
  const { rows: actions } = await agent.query<{ id: number }>(
    `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select 'EXPAND_CONTENT', jsonb_build_object('modId', id, 'content', 'Approved text for mod ' || id), 0.9, 5
     from unnest($1::bigint[]) as id
     returning id`,
    [mods.map((mod) => mod.id)],
  );
  await agent.query("reset role");
  const { runner, stop } = await bench.workers.autoexec();
  const watch = new JobWatch(runner, "execute_action", (payload) => numberFields(payload, "actionId"));
  for (const [index, action] of actions.entries()) {
    await agent.query("begin");
    await agent.query("set local role autoexec_admin");
    await agent.query("select set_config('jwt.claims.sub', 'bench-admin', true)");
    await agent.query("select autoexec.approve_action($1, 'bench')", [action.id]);
    await agent.query("commit");
    await watch.done(action.id);
    if ((index + 1) % 100 === 0) progress(`approval latency: ${index + 1}/${count}`);
    await sleep(sizes.gapMs);
  }
  await stop();
  const { rows } = await agent.query<{ ms: number }>(
    `select extract(epoch from l.executed_at - a.reviewed_at)::float8 * 1000 as ms
     from autoexec.actions a join autoexec.execution_logs l on l.action_id = a.id and l.success and l.mode = 'live'
     where a.id = any($1::bigint[]) order by a.id`,
    [actions.slice(sizes.warmup).map((action) => action.id)],
  );
  if (rows.length !== sizes.samples)
    throw new Error(`expected ${sizes.samples} approved executions, found ${rows.length}`);
  const latency = summarize(rows.map((row) => row.ms));
  progress(`autoexec: approve -> EXECUTED p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms`);
  return latency;
}

export function printApprovalLatency(latency: Stats): void {
  console.log(
    `\nTier 2 approve -> EXECUTED (PRD: within 5 minutes): p50 ${fmt(latency.p50, 2)} ms, p95 ${fmt(latency.p95, 2)} ms, ` +
      `p99 ${fmt(latency.p99, 2)} ms over ${latency.n} approvals`,
  );
}
