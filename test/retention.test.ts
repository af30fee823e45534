import type { Runner } from "graphile-worker";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rollbackExecution } from "../src/engine/rollback.ts";
import { handlers } from "../src/handlers/index.ts";
import { parsedCronItems } from "../src/tasks/index.ts";
import { startWorker } from "../src/worker.ts";
import { databaseForTests } from "./support/db.ts";
import { daysAgo, insertExecutionLog } from "./support/execution-logs.ts";
import { insertMod } from "./support/fixtures.ts";
import { waitFor } from "./support/wait.ts";

const db = databaseForTests();

async function reset(): Promise<void> {
  await db.pool.query(`
    truncate autoexec.execution_logs, autoexec.actions, content.mods cascade;
    select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs));
    update autoexec.settings set rollback_retention = default;`);
}

interface LogState {
  id: number;
  rollback_data: Record<string, unknown> | null;
  rollback_data_purged_at: Date | null;
  input_data: unknown;
  success: boolean;
}

async function logState(id: number): Promise<LogState> {
  const { rows } = await db.pool.query<LogState>(
    `select id, rollback_data, rollback_data_purged_at, input_data, success
     from autoexec.execution_logs where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`execution log ${id} is gone`);
  return rows[0];
}

/**
 * An EXPAND_CONTENT that executed `days` ago: the mod's body is what the execution left, and the log
 * carries the rollback data the handler stored, so it can really be rolled back.
 */
async function expandedDaysAgo(days: number): Promise<{ logId: number; modId: number }> {
  const bodyBefore = "Original body.";
  const addedText = `\n\nAdded ${days} days ago.`;
  const modId = await insertMod(db.pool, { body: bodyBefore + addedText });
  const logId = await insertExecutionLog(db.pool, {
    executedAt: daysAgo(days),
    rollbackData: { modId, bodyBefore, addedText, bodyAfter: bodyBefore + addedText },
  });
  return { logId, modId };
}

const rollback = (executionLogId: number) =>
  rollbackExecution(
    { pool: db.pool, handlers, log: db.log },
    { executionLogId, reason: "revenue dropped", actor: "alice" },
  );

async function bodyOf(modId: number): Promise<string> {
  const { rows } = await db.pool.query("select body from content.mods where id = $1", [modId]);
  return rows[0].body;
}

/** `count` executions with rollback data, spread evenly between the two ages. */
async function insertExecutions(
  count: number,
  age: { fromDaysAgo: number; toDaysAgo: number },
): Promise<void> {
  await db.pool.query(
    `with inserted as (
       insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
       select 'EXPAND_CONTENT', '{}', 0.9, 5 from generate_series(1, $1)
       returning id
     )
     insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
       attempt, input_data, success, duration_ms, rollback_data)
     select id, 'EXPAND_CONTENT', 2,
       now() - make_interval(days => $2) - (id % $1) * (make_interval(days => $3 - $2) / $1), 'approved', 'live', 1,
       '{}', true, 5, '{"modId": 1}'
     from inserted`,
    [count, age.fromDaysAgo, age.toDaysAgo],
  );
}

/** Waits until no purge_rollback_data job is left, i.e. the task ran to completion. */
async function waitForPurgeJobs(): Promise<void> {
  await waitFor(
    async () =>
      (await db.pool.query("select from graphile_worker.jobs where task_identifier = 'purge_rollback_data'"))
        .rowCount === 0,
    15_000,
    { what: "the purge job to complete" },
  );
}

async function purgeBatch(batchSize?: number): Promise<number> {
  const { rows } = await db.pool.query("select autoexec_private.purge_rollback_data($1) as purged", [
    batchSize ?? 5000,
  ]);
  return rows[0].purged;
}

describe("the purge_rollback_data task", () => {
  beforeEach(reset);
  let runner: Runner | undefined;
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });

  it("keeps rollback data for 90 days by default", async () => {
    const { rows } = await db.pool.query(
      "select rollback_retention = interval '90 days' as ninety_days from autoexec.settings",
    );
    expect(rows[0].ninety_days).toBe(true);
  });

  it("run by the worker, purges only rollback data past retention, keeps the log row and records the purge", async () => {
    const old = await expandedDaysAgo(91);
    const recent = await expandedDaysAgo(89);
    const before = await logState(old.logId);
    const recentBefore = await logState(recent.logId);

    runner = await startWorker({ pool: db.pool, log: db.log, concurrency: 2, pollInterval: 100 });
    const { rows: started } = await db.pool.query("select now() as at");
    await db.pool.query("select graphile_worker.add_job('purge_rollback_data')");
    await waitForPurgeJobs();

    const purged = await logState(old.logId);
    expect(purged).toEqual({ ...before, rollback_data: null, rollback_data_purged_at: expect.any(Date) });
    expect(purged.rollback_data_purged_at?.getTime()).toBeGreaterThanOrEqual(started[0].at.getTime());
    expect(await logState(recent.logId)).toEqual(recentBefore);
    const { rows: count } = await db.pool.query("select count(*)::int as n from autoexec.execution_logs");
    expect(count[0].n).toBe(2);
  });

  it("repeats batches until everything past retention is purged", async () => {
    await insertExecutions(12_000, { fromDaysAgo: 91, toDaysAgo: 120 }); // more than two default batches of 5,000
    await insertExecutions(10, { fromDaysAgo: 0, toDaysAgo: 89 });
    runner = await startWorker({ pool: db.pool, log: db.log, concurrency: 2, pollInterval: 100 });
    await db.pool.query("select graphile_worker.add_job('purge_rollback_data')");
    await waitForPurgeJobs();
    const { rows } = await db.pool.query(
      `select count(*) filter (where rollback_data is null and rollback_data_purged_at is not null)::int as purged,
         count(*) filter (where rollback_data is not null)::int as kept
       from autoexec.execution_logs`,
    );
    expect(rows[0]).toEqual({ purged: 12_000, kept: 10 });
  });

  it("rollback then refuses with the purge as the reason, while newer executions still roll back", async () => {
    const old = await expandedDaysAgo(91);
    const recent = await expandedDaysAgo(89);
    expect(await purgeBatch()).toBe(1);
    const purgedAt = (await logState(old.logId)).rollback_data_purged_at as Date;

    expect(await rollback(old.logId)).toEqual({
      success: false,
      code: "not_rollbackable",
      error:
        `the rollback data of execution ${old.logId} was purged on ${purgedAt.toISOString()} ` +
        "(older than the retention period); it can no longer be rolled back",
    });
    expect(await bodyOf(old.modId)).toBe("Original body.\n\nAdded 91 days ago.");

    expect(await rollback(recent.logId)).toMatchObject({ success: true, executionLogId: recent.logId });
    expect(await bodyOf(recent.modId)).toBe("Original body.");
  });

  it("follows the retention setting", async () => {
    const old = await expandedDaysAgo(31);
    const recent = await expandedDaysAgo(29);
    await db.pool.query("update autoexec.settings set rollback_retention = '30 days'");
    expect(await purgeBatch()).toBe(1);
    expect((await logState(old.logId)).rollback_data).toBeNull();
    expect((await logState(recent.logId)).rollback_data).not.toBeNull();
  });

  it("purges in batches of the size given, oldest first, until a batch purges nothing", async () => {
    const ids: number[] = [];
    for (const days of [97, 96, 95, 94, 93, 92, 91]) ids.push((await expandedDaysAgo(days)).logId);
    await expandedDaysAgo(1);

    const counts = [await purgeBatch(3)];
    const purgedAfterFirstBatch = await Promise.all(
      ids.map(async (id) => (await logState(id)).rollback_data === null),
    );
    expect(purgedAfterFirstBatch).toEqual([true, true, true, false, false, false, false]);
    while (counts.at(-1) !== 0 && counts.length < 10) counts.push(await purgeBatch(3));
    expect(counts).toEqual([3, 3, 1, 0]);
    const { rows } = await db.pool.query(
      "select count(*) filter (where rollback_data is not null)::int as kept, count(*)::int as logs from autoexec.execution_logs",
    );
    expect(rows[0]).toEqual({ kept: 1, logs: 8 });
  });

  it("is scheduled daily by the crontab", () => {
    const item = parsedCronItems.find((cron) => cron.identifier === "purge_rollback_data");
    expect(item?.task).toBe("purge_rollback_data");
    // Over a week, minute by minute: exactly one run a day, at 03:00 UTC.
    const runs: string[] = [];
    const start = Date.UTC(2026, 0, 5); // a Monday
    for (let minute = 0; minute < 7 * 24 * 60; minute++) {
      const at = new Date(start + minute * 60_000);
      const digest = {
        min: at.getUTCMinutes(),
        hour: at.getUTCHours(),
        date: at.getUTCDate(),
        month: at.getUTCMonth() + 1,
        dow: at.getUTCDay(),
      };
      if (item?.match(digest)) runs.push(at.toISOString());
    }
    expect(runs).toEqual(
      Array.from({ length: 7 }, (_, day) => `2026-01-${String(5 + day).padStart(2, "0")}T03:00:00.000Z`),
    );
  });
});

describe("with many execution logs", () => {
  // Steady state: 50,000 executions over 200 days whose expired rollback data was purged before,
  // and a day's worth of newly expired ones.
  beforeAll(async () => {
    await reset();
    await insertExecutions(50_000, { fromDaysAgo: 0, toDaysAgo: 200 });
    // As autovacuum would soon after such a load; without it the first purge's plan is a lottery.
    await db.pool.query("analyze autoexec.execution_logs");
    await purgeBatch(100_000);
    await insertExecutions(250, { fromDaysAgo: 91, toDaysAgo: 92 });
    await db.pool.query("vacuum analyze autoexec.execution_logs");
  });

  it("finds the expired rows through the partial index execution_logs_purge_idx", async () => {
    const plan = await planOfPurge();
    expect(plan).toMatch(/Index Scan (using|on) execution_logs_purge_idx/);
    // No scan of execution_logs checks the age of rows one by one.
    expect(plan).not.toMatch(/Filter: .*executed_at/);
  });
});

/**
 * The plan the real purge function runs with, as auto_explain reports it for the statement nested in
 * it (sent to this session as a NOTICE). The purge itself is rolled back.
 */
async function planOfPurge(): Promise<string> {
  const client = await db.pool.connect();
  const notices: string[] = [];
  const onNotice = (notice: { message?: string }) => notices.push(notice.message ?? "");
  client.on("notice", onNotice);
  try {
    await client.query("begin");
    await client.query("load 'auto_explain'");
    await client.query(`
      set local auto_explain.log_min_duration = 0;
      set local auto_explain.log_nested_statements = on;
      set local auto_explain.log_level = notice;
      set local client_min_messages = notice`);
    await client.query("select autoexec_private.purge_rollback_data()");
    return notices.filter((notice) => notice.includes("autoexec.execution_logs")).join("\n");
  } finally {
    await client.query("rollback");
    client.off("notice", onNotice);
    client.release();
  }
}
