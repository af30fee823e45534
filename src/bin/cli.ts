import { type Config, describeEnv, loadConfig } from "../config.ts";
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

/** On SIGINT or SIGTERM (once): log, run `stop` (finish in-flight work, close pools), exit 0. */
export function onShutdown(log: Logger, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, async () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, `stopping: ${what}`);
      await stop();
      process.exit(0);
    });
  }
}
