import { z } from "zod";

/** A whole number setting between `min` and `max`. */
function limit(min: number, max: number, fallback: number, description: string) {
  return z.coerce.number().int().min(min).max(max).default(fallback).describe(description);
}

/** Environment variables, validated once at start so a typo fails loudly instead of half-working. */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional()
    .describe("PostgreSQL to use; without it an embedded PostgreSQL is started in EMBEDDED_PG_DIR"),
  EMBEDDED_PG_DIR: z
    .string()
    .min(1)
    .default(".data/pg")
    .describe("data directory of the embedded PostgreSQL"),
  EMBEDDED_PG_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe("port of the embedded PostgreSQL; 0 picks a free one"),
  WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe("jobs one worker runs at once"),
  WORKER_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional()
    .describe("the worker's connection, as autoexec_worker (default: DATABASE_URL; embedded: automatic)"),
  SERVER_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional()
    .describe("the API server's connection, as autoexec_server (default: DATABASE_URL; embedded: automatic)"),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe("HTTP port of the admin API; 0 picks one"),
  HOST: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .describe("address the HTTP server listens on (0.0.0.0: every one)"),
  WORKER_HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe("npm run worker: serve /healthz, /readyz and the worker's /metrics on this port (0 picks one)"),
  JWT_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    .optional()
    .describe("HS256 secret of the API's bearer tokens; required with DATABASE_URL"),
  STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(15_000)
    .describe("the API's statement_timeout, in milliseconds"),
  ENGINE_LOCK_TIMEOUT_MS: limit(
    10,
    600_000,
    5_000,
    "how long an engine transaction waits for a lock before it gives up and retries later",
  ),
  ENGINE_STATEMENT_TIMEOUT_MS: limit(
    100,
    3_600_000,
    30_000,
    "the longest statement an engine transaction (execution, dispatcher) may run",
  ),
  // The request budget of the API (issue 12): see docs/operations.md, "Trust boundary".
  GRAPHQL_MAX_DEPTH: limit(2, 100, 10, "GraphQL: fields nested in fields, at most"),
  GRAPHQL_MAX_ALIASES: limit(0, 10_000, 100, "GraphQL: aliased fields in one request, at most"),
  GRAPHQL_MAX_FIELDS: limit(10, 100_000, 2_000, "GraphQL: fields in one request once fragments are spread"),
  GRAPHQL_MAX_COST: limit(
    100,
    10_000_000,
    50_000,
    "GraphQL: estimated nodes of one answer (page sizes multiplied through the nesting)",
  ),
  GRAPHQL_MAX_LIST_LENGTH: limit(1, 100_000, 1_000, "GraphQL: items in one list argument or variable"),
  GRAPHQL_MAX_RESPONSE_BYTES: limit(
    10_000,
    1_000_000_000,
    10_000_000,
    "GraphQL: bytes one request may read from the database, and bytes its answer may hold",
  ),
  GRAPHQL_TIMEOUT_MS: limit(
    100,
    600_000,
    10_000,
    "GraphQL: milliseconds one request may run, all its SQL statements together",
  ),
  HTTP_REQUEST_TIMEOUT_MS: limit(
    1_000,
    600_000,
    30_000,
    "time a client has to send a whole request (headers and body), in milliseconds",
  ),
  DEMO: z
    .enum(["on", "off"])
    .default("on")
    .describe("embedded default only: load the demo site once and run the simulated agent (on/off)"),
  DEMO_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe("time between the simulated agent's proposals in the demo"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** One line per variable, for --help. */
export function describeEnv(): string {
  return Object.entries(EnvSchema.shape)
    .map(([name, schema]) => `  ${name.padEnd(27)} ${schema.description ?? ""}`)
    .join("\n");
}

/**
 * A problem of the set-up that one sentence explains (a setting to add, a directory to move): entry
 * points log its message alone, without a stack trace.
 */
export class SetupError extends Error {
  override name = "SetupError";
}
