import { type Config, describeEnv, loadConfig } from "../config.ts";
import type { Stop } from "../db/database.ts";
import { resolveJwtSecret } from "../http/jwt.ts";
import { createLogger, type Logger } from "../logger.ts";

/**
 * What every entry point does first: answer --help with `usage` and the environment variables, then
 * read the configuration, exiting with a readable list of bad values (status 2) rather than a stack.
 */
export function startup(usage: string): { config: Config; log: Logger } {
  if (process.argv.includes("--help")) {
    console.log(`${usage}\n\nEnvironment:\n${describeEnv()}`);
    process.exit(0);
  }
  const config = loadConfigOrExit();
  return { config, log: createLogger(config.LOG_LEVEL) };
}

/** The configuration, or exit 2 with one readable line per bad value (no stack trace). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}

/** The API's JWT secret, or exit 2 with the reason (e.g. DATABASE_URL set without JWT_SECRET). */
export async function jwtSecretOrExit(config: Config, log: Logger): Promise<string> {
  try {
    return await resolveJwtSecret(config, log);
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(2);
  }
}

/**
 * Runs a long-lived entry point until SIGINT or SIGTERM. The handlers go in before `start` begins:
 * Node with no handler dies at once on a signal, so a signal that came between the ready line and
 * the handlers would leave in-flight work unfinished and an embedded server orphaned. A signal
 * during startup waits for `start` to finish, then runs the stop it returned and exits 0. A start
 * that fails logs one readable line (a port taken, a database that does not answer) and exits 1.
 */
export async function runUntilSignal(log: Logger, what: string, start: () => Promise<Stop>): Promise<void> {
  let starting: Promise<Stop> | undefined;
  const signals = ["SIGINT", "SIGTERM"] as const;
  const onSignal = async (signal: NodeJS.Signals) => {
    // A second signal, of either kind, gets Node's default: the process ends at once.
    for (const other of signals) process.off(other, onSignal);
    log.info({ signal }, `stopping: ${what} (a second Ctrl-C or SIGTERM stops at once)`);
    const stop = await starting?.catch(() => undefined);
    try {
      await stop?.();
    } catch (error) {
      // Exit anyway: a rejected handler would land in the outage handler, which waits for the database.
      log.error({ err: error }, `stopped, but not cleanly: ${(error as Error).message}`);
      process.exit(1);
    }
    process.exit(0);
  };
  for (const signal of signals) process.on(signal, onSignal);
  starting = start();
  try {
    await starting;
  } catch (error) {
    log.fatal({ err: error }, `could not start: ${(error as Error).message}`);
    process.exit(1);
  }
}
