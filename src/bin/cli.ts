import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Config, describeEnv, loadConfig, SetupError } from "../config.ts";
import type { Stop } from "../db/database.ts";
import { resolveJwtSecret } from "../http/jwt.ts";
import { createLogger, type Logger } from "../logger.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];

/**
 * Parses the command line strictly: `-h`/`--help` prints `usage` and the environment variables and
 * exits 0; an unknown flag, a missing value or a stray argument prints the reason and the usage and
 * exits 2 (a typo must not be ignored, so a command never runs with a flag it did not understand).
 */
export function parseCli<O extends Options>(usage: string, options: O): Values<O> {
  const help = `${usage}\n\nEnvironment:\n${describeEnv()}`;
  let values: Values<O> & { help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }) as { values: Values<O> & { help?: boolean } });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  return values;
}

/**
 * What every entry point does first: parse the command line (see parseCli), then read the
 * configuration, exiting with a readable list of bad values (status 2) rather than a stack.
 */
export function startup<O extends Options = Record<never, never>>(
  usage: string,
  options: O = {} as O,
): { config: Config; log: Logger; args: Values<O> } {
  const args = parseCli(usage, options);
  const config = loadConfigOrExit();
  return { config, log: createLogger(config.LOG_LEVEL), args };
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
    // A set-up problem is one sentence saying what to do; anything else keeps its stack for debugging.
    log.fatal(
      error instanceof SetupError ? {} : { err: error },
      `could not start: ${(error as Error).message}`,
    );
    process.exit(1);
  }
}
