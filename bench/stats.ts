// The stats: GET /api/monetization/execution/stats is one SQL function; its time over a large log.
import { createPool } from "../src/db/pool.ts";
import type { Bench } from "./lib/context.ts";
import { loadExecutionHistory } from "./lib/history.ts";
import { fmt, int, progress, summarize } from "./lib/output.ts";

/** GET /api/monetization/execution/stats is one SQL function: its time over a large execution log. */
export async function statsTiming(bench: Bench, url: string): Promise<void> {
  const { agent, log, sizes } = bench;
  progress(`stats: loading ${int(sizes.statsRows)} past executions (bulk, indexes rebuilt after)`);
  const pool = createPool(url, log, 2);
  const started = performance.now();
  await loadExecutionHistory(pool, sizes.statsRows);
  await pool.end();
  progress(
    `stats: loaded in ${fmt((performance.now() - started) / 1000, 1)} s; timing autoexec.execution_stats as a viewer`,
  );
  const time = async (from: string | null) => {
    const samples: number[] = [];
    for (let i = 0; i < 4; i++) {
      await agent.query("begin");
      await agent.query("set local role autoexec_viewer");
      const t0 = performance.now();
      await agent.query("select autoexec.execution_stats($1) as stats", [from]);
      samples.push(performance.now() - t0);
      await agent.query("commit");
    }
    return summarize(samples.slice(1)).p50; // the first call warms the cache
  };
  const month = await time(null);
  const year = await time(new Date(Date.now() - 366 * 86_400_000).toISOString());
  console.log(
    `\nstats over ${int(sizes.statsRows)} execution logs (median of 3 warm calls): default 30 days ${fmt(month, 0)} ms, ` +
      `a whole year ${fmt(year, 0)} ms`,
  );
}
