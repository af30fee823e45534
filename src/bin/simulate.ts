import { createPool } from "../db/pool.ts";
import { createSimulatedAgent } from "../demo/agent.ts";
import { startup } from "./cli.ts";

const HELP = `npm run simulate -- [--interval MS] [--count N]: run the simulated monetization agent against
DATABASE_URL. It proposes a realistic mix of actions (all three tiers, some low-confidence, some
invalid, one that keeps failing) through the agent's contract: a plain INSERT as autoexec_agent.
The login in DATABASE_URL must be allowed to SET ROLE autoexec_agent (the agent's own login, or a
superuser). It only proposes: it never seeds content, and it needs the site's mods to exist.

  --interval MS   time between proposals (default 2000)
  --count N       stop after N proposals (default: run until Ctrl-C)`;

const {
  config,
  log,
  args: values,
} = startup(HELP, {
  interval: { type: "string", default: "2000" },
  count: { type: "string" },
});
const intervalMs = Number(values.interval);
const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
if (!Number.isInteger(intervalMs) || intervalMs < 10 || !(count > 0)) {
  console.error(
    "--interval must be a whole number of milliseconds (10 or more) and --count a positive number",
  );
  process.exit(2);
}
if (!config.DATABASE_URL) {
  log.fatal("npm run simulate needs DATABASE_URL (npm start prints it for its embedded database)");
  process.exit(2);
}
const pool = createPool(config.DATABASE_URL, log, 2);
const agent = createSimulatedAgent({ agentPool: pool, sitePool: pool });
// A signal lets the proposal in progress finish; the loop then ends and the pool closes. The
// handlers go in before the ready line: a signal with no handler kills Node at once.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopping = true;
  });
}
log.info({ intervalMs }, "simulated agent started; Ctrl-C stops it");
for (let proposed = 0; proposed < count && !stopping; proposed++) {
  const { id, type } = await agent.proposeOne();
  log.info({ id, type }, "proposed");
  if (proposed + 1 < count) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
await pool.end();
