import type pg from "pg";
import { withTransaction } from "../db/pool.ts";
import type { Logger } from "../logger.ts";
import { createSimulatedAgent, proposeEvery } from "./agent.ts";
import { seedDemoSite } from "./site.ts";

/**
 * The embedded default's demo: on a database with no content and no actions, loads the demo site and
 * switches the engine on (still in dry run: rollout phase 1), recorded in the audit trail as "demo";
 * then runs the simulated agent. `pool` must be allowed to SET ROLE autoexec_agent (the embedded
 * server's superuser is).
 */
export async function startDemo(
  pool: pg.Pool,
  intervalMs: number,
  log: Logger,
): Promise<{ stop(): Promise<void> }> {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ empty: boolean }>(
      "select not exists (select from content.mods) and not exists (select from autoexec.actions) as empty",
    );
    if (!rows[0]?.empty) return;
    await client.query("select set_config('jwt.claims.sub', 'demo', true)");
    const site = await seedDemoSite(client);
    await client.query("update autoexec.settings set enabled = true");
    log.info(
      site,
      "demo site loaded; the engine is on, in dry run (switch dry run off in Settings to go live)",
    );
  });
  const agent = createSimulatedAgent({ agentPool: pool, sitePool: pool });
  log.info({ intervalMs }, "simulated agent proposing actions (DEMO=off stops it)");
  return proposeEvery(agent, intervalMs, log);
}
