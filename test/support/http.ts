import pg from "pg";
import { withTransaction } from "../../src/db/pool.ts";
import type { ActionHandler } from "../../src/handlers/types.ts";
import { type App, createApp } from "../../src/http/app.ts";
import { createServerPools, type ServerPools } from "../../src/http/db.ts";
import { secretKey, signToken } from "../../src/http/jwt.ts";
import type { TestDatabase } from "./db.ts";
import { heldByHooks } from "./hooks.ts";

export const TEST_JWT_SECRET = "test-secret-for-the-admin-api-0123456789abcdef";
export const LOGIN_PASSWORD = "autoexec-test-login";

/**
 * A connection string for one of the login roles (sql/migrations/001 and 005) on the test
 * database. Roles are cluster-wide, so the password is set under an advisory lock (test files run in
 * parallel) and is the same for every file.
 */
export async function loginUrl(
  db: TestDatabase,
  role: "autoexec_server" | "autoexec_worker" | "autoexec_agent",
): Promise<string> {
  await withTransaction(db.pool, async (client) => {
    await client.query("select pg_advisory_xact_lock(7240005)");
    await client.query(`alter role ${role} password ${client.escapeLiteral(LOGIN_PASSWORD)}`);
  });
  const url = new URL(db.url);
  url.username = role;
  url.password = LOGIN_PASSWORD;
  return url.toString();
}

export interface TestApi {
  app: App["app"];
  pools: ServerPools;
  /** A signed token; `role` may be anything (tests send roles the API refuses). */
  token(role: string, sub?: string, expiresIn?: string | number): Promise<string>;
  /** POST /graphql through app.request(). */
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<{ status: number; body: GraphqlBody }>;
  /** A REST call through app.request(); `body` is sent as JSON. */
  rest(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null },
  ): Promise<RestAnswer>;
  close(): Promise<void>;
}

export interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  success?: boolean;
  error?: string;
}

export interface RestAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the route answered
  body: any;
  text: string;
}

/** The app as the server builds it, on pools that log in as autoexec_server. */
export async function createTestApi(
  db: TestDatabase,
  options: { statementTimeoutMs?: number; handlers?: ReadonlyMap<string, ActionHandler> } = {},
): Promise<TestApi> {
  const url = await loginUrl(db, "autoexec_server");
  const pools = createServerPools(url, db.log, {
    statementTimeoutMs: options.statementTimeoutMs ?? 15_000,
    max: 6,
  });
  const built = await createApp({
    ...pools,
    jwtSecret: TEST_JWT_SECRET,
    log: db.log,
    handlers: options.handlers,
  });
  const key = secretKey(TEST_JWT_SECRET);
  const defaultToken = await signToken({ sub: "alice", role: "admin" }, key);
  const headers = (token: string | null | undefined, json: boolean) => ({
    ...(json ? { "content-type": "application/json" } : {}),
    ...(token === null ? {} : { authorization: `Bearer ${token ?? defaultToken}` }),
  });
  return {
    app: built.app,
    pools,
    token: (role, sub = "alice", expiresIn = "1h") => signToken({ sub, role }, key, expiresIn),
    async graphql(query, variables = {}, token) {
      const response = await built.app.request("/graphql", {
        method: "POST",
        headers: headers(token, true),
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphqlBody };
    },
    async rest(method, path, { body, token } = {}) {
      const response = await built.app.request(path, {
        method,
        headers: headers(token, body !== undefined),
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      await built.close();
      await Promise.all([pools.pool.end(), pools.executorPool.end()]);
    },
  };
}

/** Direct SQL as a login role (for checks that must not go through the superuser pool). */
export async function queryAs<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The app on the file's database for the file's tests (register it after databaseForTests). */
export function apiForTests(db: TestDatabase): TestApi {
  return heldByHooks(
    "the test API",
    () => createTestApi(db),
    (api) => api.close(),
  );
}
