import type pg from "pg";
import { withTransaction } from "../../src/db/pool.ts";

/**
 * Loads `rows` past executions for the stats queries: one action and one execution log each, one every
 * 31 seconds going back from now (a million reach about a year back); a quarter are Tier 2 (approved
 * 2 minutes before execution), the rest Tier 1 (created 5 minutes before); 5% failed, 2% dry runs and
 * about 1% rolled back. Loaded in bulk: triggers off (they would enqueue a job per action) and the
 * indexes rebuilt afterwards, which is much faster than maintaining them row by row.
 */
export async function loadExecutionHistory(pool: pg.Pool, rows: number): Promise<void> {
  await bulkLoad(pool, async (client) => {
    const { rows: before } = await client.query<{ id: number }>(
      "select coalesce(max(id), 0) as id from autoexec.actions",
    );
    await client.query(
      `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact,
         execution_tier, status, created_at, reviewed_at)
       select case when g % 4 = 0 then 'EXPAND_CONTENT' else 'ADD_AFFILIATE_LINK' end, '{}', 0.9, 1,
         case when g % 4 = 0 then 2 else 1 end, 'EXECUTED', now() - g * interval '31 seconds' - interval '5 minutes',
         case when g % 4 = 0 then now() - g * interval '31 seconds' - interval '2 minutes' end
       from generate_series(1, $1::int) g`,
      [rows],
    );
    await client.query(
      `
      insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
        attempt, input_data, success, error_message, duration_ms, rolled_back_at, rolled_back_by)
      select a.id, a.type, a.execution_tier, a.created_at + interval '5 minutes',
        case when a.execution_tier = 1 then 'auto' else 'approved' end,
        case when a.id % 50 = 0 then 'dry_run' else 'live' end, 1, '{}', a.id % 20 <> 0,
        case when a.id % 20 = 0 then 'failed' end, 5,
        case when a.id % 97 = 0 and a.id % 20 <> 0 then a.created_at + interval '1 hour' end,
        case when a.id % 97 = 0 and a.id % 20 <> 0 then 'carol' end
      from autoexec.actions a
      where a.id > $1`,
      [before[0]?.id ?? 0],
    );
  });
}

/**
 * Runs `load` in one transaction with triggers off (they would enqueue a job per action) and the
 * indexes of actions and execution_logs dropped, then rebuilds them and the rollups and analyzes: much
 * faster than maintaining the indexes row by row.
 */
export async function bulkLoad(pool: pg.Pool, load: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query("set local session_replication_role = replica");
    await client.query("set local maintenance_work_mem = '256MB'");
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
      select format('%I.%I', i.schemaname, i.indexname) as name, i.indexdef as definition
      from pg_indexes i
      where i.schemaname = 'autoexec' and i.tablename in ('actions', 'execution_logs')
        and not exists (select from pg_constraint c where c.conname = i.indexname)`);
    for (const index of indexes) await client.query(`drop index ${index.name}`);
    await load(client);
    for (const index of indexes) await client.query(index.definition);
    // The journal's triggers were off too: count what was loaded from scratch.
    await client.query("set local session_replication_role = origin");
    await client.query("select autoexec_private.rebuild_rollups()");
  });
  await pool.query("analyze autoexec.actions, autoexec.execution_logs, autoexec.audit_events, content.mods");
}
