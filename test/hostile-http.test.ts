import net from "node:net";
import { getIntrospectionQuery, print } from "postgraphile/graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { secretKey, signToken } from "../src/http/jwt.ts";
import { HISTORY_LOGS } from "../web/src/history-queries.ts";
import { ACTION_DETAIL, AUDIT_TRAIL, CHARTS, SETTINGS_PAGE } from "../web/src/queries.ts";
import { QUEUE_PAGE } from "../web/src/queue-queries.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, goLive, insertAction, insertMod } from "./support/fixtures.ts";
import { loginUrl, TEST_JWT_SECRET } from "./support/http.ts";
import { type ServerProcess, startServerProcess } from "./support/server-process.ts";
import { waitFor } from "./support/wait.ts";

/**
 * A hostile client with a valid token against `npm run server` as a real process (issue 12, points 5
 * and 7): every over-budget or malformed request is refused with a 4xx that names what was wrong,
 * /healthz keeps answering, the process stays alive and its memory stays bounded.
 */

/** The server's V8 heap limit here: an attack that buffers without bound kills it instead of the machine. */
const HEAP_LIMIT_MB = 384;
/** Peak resident memory allowed over the whole run: the heap limit plus generous room for the rest. */
const PEAK_MEMORY_LIMIT = 900 * 1024 * 1024;
/** Generous: refusals take milliseconds; this only catches a request that was executed after all. */
const QUICKLY_MS = 5_000;
/** The request timeout the server is started with here, so a slow body is cut off soon. */
const REQUEST_TIMEOUT_MS = 2_000;
const TIER3_ROWS = 300;
/** The GraphQL time budget the server is started with here. */
const GRAPHQL_TIMEOUT_MS = 1_500;

let db: TestDatabase;
let server: ServerProcess;
let viewer: string;
let admin: string;
let actionId: number;
let executionLogId: number;
let serverEnv: Record<string, string>;
/** Exits of the server during the run (each test starts it again, so that one death fails one test). */
const deaths: string[] = [];

function startServer(): Promise<ServerProcess> {
  return startServerProcess(serverEnv, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
}

beforeEach(async (context) => {
  if (server.alive()) return;
  deaths.push(`${context.task.name}: ${server.output().slice(-600)}`);
  server = await startServer();
});

beforeAll(async () => {
  db = await createTestDatabase();
  // Tier 3 rows of about 64 KiB each, as the agent may write them (many short strings, not one long one).
  const { rows } = await db.pool.query<{ id: number }>(
    `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact)
     select 'REMOVE_CONTENT',
            (select jsonb_object_agg('k' || k, repeat(chr(97 + (n + k) % 26), 1000)) from generate_series(1, 64) k)
              || jsonb_build_object('modId', n),
            0.9, 5
     from generate_series(1, $1::int) n returning id`,
    [TIER3_ROWS],
  );
  actionId = rows[0]?.id as number;
  serverEnv = {
    DATABASE_URL: db.url,
    SERVER_DATABASE_URL: await loginUrl(db, "autoexec_server"),
    JWT_SECRET: TEST_JWT_SECRET,
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    GRAPHQL_TIMEOUT_MS: String(GRAPHQL_TIMEOUT_MS),
  };
  server = await startServer();
  const key = secretKey(TEST_JWT_SECRET);
  viewer = await signToken({ sub: "vera", role: "viewer" }, key);
  admin = await signToken({ sub: "alice", role: "admin" }, key);
  // A live execution that can be rolled back, so that hostile rollback reasons reach the database.
  await goLive(db.pool);
  const linkAction = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
  const executed = await send("/api/monetization/execute", {
    method: "POST",
    token: admin,
    body: JSON.stringify({ actionId: linkAction }),
  });
  expect(executed.status, executed.text).toBe(200);
  executionLogId = executed.body.executionLog.id;
});

afterAll(async () => {
  if (server) {
    const peak = await server.peakMemory().catch(() => Number.NaN);
    console.log(`hostile-http: server peak resident memory ${(peak / 1024 / 1024).toFixed(0)} MiB`);
    if (!server.alive()) console.log(`hostile-http: the server exited:\n${server.output().slice(-3000)}`);
    await server.stop();
  }
  await db?.drop();
});

interface Answer {
  status: number;
  ms: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever was answered
  body: any;
}

async function send(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer> {
  const { token = viewer, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (rest.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, { ...rest, headers });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, ms, text, body };
}

function graphql(query: string, variables?: unknown, token?: string): Promise<Answer> {
  return send("/graphql", { method: "POST", body: JSON.stringify({ query, variables }), token });
}

/** The messages of a GraphQL answer, or its REST-style error. */
function messages(answer: Answer): string {
  const errors = (answer.body?.errors ?? []) as { message: string }[];
  return [...errors.map((error) => error.message), answer.body?.error ?? ""].join(" | ");
}

/** A refusal a client can act on: a 4xx, a message naming `limit`, no stack, no "internal error". */
function expectRefused(answer: Answer, limit: RegExp) {
  expect(answer.status, answer.text.slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
  expect(messages(answer)).toMatch(limit);
  expectNoLeak(answer);
  expect(answer.ms).toBeLessThan(QUICKLY_MS);
}

/** Stopped while running: by its bytes (413) or, on a busy machine, by its time first (503). */
function expectStopped(answer: Answer) {
  expect([413, 503], answer.text.slice(0, 300)).toContain(answer.status);
  expect(messages(answer)).toMatch(/GRAPHQL_MAX_RESPONSE_BYTES|GRAPHQL_TIMEOUT_MS/);
  expectNoLeak(answer);
}

function expectNoLeak(answer: Answer) {
  expect(answer.text).not.toMatch(/internal error/i);
  expect(answer.text).not.toMatch(/\n\s+at .+:\d+:\d+/); // a stack trace
}

/** Runs `attack` while polling /healthz; returns the slowest health answer in ms. */
async function whileHealthPolled(attack: () => Promise<void>): Promise<number> {
  let done = false;
  let slowest = 0;
  const poll = (async () => {
    for (let round = 0; round < 200 && !done; round++) {
      const health = await send("/healthz", { token: null });
      expect(health.status).toBe(200);
      slowest = Math.max(slowest, health.ms);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    await attack();
  } finally {
    done = true;
    await poll;
  }
  return slowest;
}

/**
 * One HTTP/1.1 request written by hand on a socket (fetch gives up when the server answers before the
 * body is sent, which is what a body limit does): the raw answer, once the server closes.
 */
function rawRequest(
  requestLine: string,
  headers: Record<string, string>,
  bodyParts: string[],
  token = viewer,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += String(chunk);
    });
    socket.on("error", () => undefined); // the server may close while the body is still being written
    socket.on("close", () => resolve(answer));
    socket.on("connect", async () => {
      const head = Object.entries({
        Host: "127.0.0.1",
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Connection: "close",
        ...headers,
      })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(`${requestLine} HTTP/1.1\r\n${head}\r\n`);
      await pause(100); // a body limit answers from the headers alone
      // In 64 kB pieces, and no more once the server answers: data written after it closed would make
      // the kernel reset the connection and drop the answer.
      for (const part of bodyParts) {
        for (let offset = 0; offset < part.length && !answer && !socket.destroyed; offset += 65_536) {
          await new Promise((written) => socket.write(part.slice(offset, offset + 65_536), written));
          await pause(10);
        }
      }
      if (!socket.destroyed) socket.end();
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` aliases of `field`. */
function aliases(count: number, field: (index: number) => string): string {
  return `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${field(index)}`).join(" ")} }`;
}

/** allActions(first: 100) nested `levels` deep through each action's type and its actions. */
function nestedThroughTypes(levels: number): string {
  let inner = "id actionData";
  for (let level = 0; level < levels; level++) {
    inner = `id actionTypeByType { actionsByType(first: 100) { nodes { ${inner} } } }`;
  }
  return `{ allActions(first: 100) { nodes { ${inner} } } }`;
}

describe("the request budget (issue 12, point 5)", () => {
  it("refuses 1,000 aliases of allActions(first: 100) { nodes { actionData } } over 64 KiB rows, quickly", async () => {
    const query = aliases(1000, () => "allActions(first: 100) { nodes { actionData } }");
    expect(query.length).toBeGreaterThan(40_000);
    let refusedInMs = 0;
    const slowestHealth = await whileHealthPolled(async () => {
      const answer = await graphql(query);
      expectRefused(answer, /alias/i);
      refusedInMs = answer.ms;
    });
    console.log(
      `hostile-http: 1,000 aliases refused in ${refusedInMs.toFixed(0)} ms; slowest /healthz ${slowestHealth.toFixed(0)} ms`,
    );
    expect(slowestHealth).toBeLessThan(QUICKLY_MS);
    expect(server.alive()).toBe(true);
  });

  it("refuses a 350-byte query nested 4 levels through actionTypeByType { actionsByType } (10^8 nodes)", async () => {
    const query = nestedThroughTypes(3);
    expect(query.length).toBeLessThan(400);
    expectRefused(await graphql(query), /nested|nodes/i);
    // Within the depth budget, the page sizes multiplied through the nesting give it away: 10^6 nodes.
    expectRefused(await graphql(nestedThroughTypes(2)), /about \d\.\de6 nodes/);
  });

  it("refuses a selection nested 50 deep, and one nested thousands deep, naming the depth", async () => {
    expectRefused(await graphql(nestedThroughTypes(24)), /depth|deep/i);
    const deep = `{ ${"a { ".repeat(5000)}b${" }".repeat(5000)} }`;
    expectRefused(await graphql(deep), /depth|deep|tokens/i);
  });

  it("refuses a document of too many fields or tokens", async () => {
    expectRefused(await graphql(`{ ${"__typename ".repeat(8000)} }`), /fields|tokens/i);
  });

  it("refuses fragment cycles and fragments spread into an exponential number of fields", async () => {
    expectRefused(
      await graphql("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
      /fragment/i,
    );
    // Each fragment adds two aliased fields and spreads the one before it: 40 fields, cheap and allowed…
    const fragmentChain = (spreads: string) =>
      [
        "query { ...F20 }",
        "fragment F0 on Query { currentSettings { enabled } }",
        ...Array.from(
          { length: 20 },
          (_, index) =>
            `fragment F${index + 1} on Query { a${index}: currentSettings { enabled } b${index}: circuitBreaker { breakerOpen } ${spreads.replaceAll("PREVIOUS", `F${index}`)} }`,
        ),
      ].join("\n");
    const linear = await graphql(fragmentChain("...PREVIOUS"));
    expect(linear.status).toBe(200);
    expect(linear.body.data.a0).toEqual({ enabled: true });
    // …but spreading the one before twice doubles at each step: about 2^20 fields from 22 lines.
    expectRefused(await graphql(fragmentChain("...PREVIOUS ...PREVIOUS")), /fields|aliases/i);
    // Doubling without aliases: each fragment spreads the one before it twice in two nested fields.
    const doubling = [
      "query { allActionTypes(first: 1) { nodes { ...T0 } } }",
      ...Array.from(
        { length: 20 },
        (_, index) =>
          `fragment T${index} on ActionType { actionsByType(first: 1) { nodes { actionTypeByType { ...T${index + 1} } } } p${index}: actionsByType(first: 1) { nodes { actionTypeByType { ...T${index + 1} } } } }`,
      ),
      "fragment T20 on ActionType { type }",
    ].join("\n");
    expectRefused(await graphql(doubling), /depth|cost|fields|alias/i);
  });

  it("refuses batched requests", async () => {
    const one = { query: "{ currentSettings { enabled } }" };
    for (const batch of [[one, one], Array.from({ length: 1000 }, () => one)]) {
      const answer = await send("/graphql", { method: "POST", body: JSON.stringify(batch) });
      expectRefused(answer, /one GraphQL request|batch/i);
    }
  });

  it("refuses huge bodies, chunked or not, on GraphQL and REST", async () => {
    const big = JSON.stringify({
      query: "{ currentSettings { enabled } }",
      variables: { x: "y".repeat(2_000_000) },
    });
    const withLength = await rawRequest("POST /graphql", { "Content-Length": String(big.length) }, [big]);
    expect(withLength).toMatch(/^HTTP\/1\.1 413/);
    expect(withLength).toMatch(/larger than \d+ bytes/);
    const chunks = Array.from({ length: 50 }, () => "x".repeat(50_000));
    const chunked = await rawRequest("POST /graphql", { "Transfer-Encoding": "chunked" }, [
      ...chunks.map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
      "0\r\n\r\n",
    ]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    const reason = JSON.stringify({ executionLogId, reason: "r".repeat(100_000) });
    const rest = await rawRequest(
      "POST /api/monetization/execute/rollback",
      { "Content-Length": String(reason.length) },
      [reason],
      admin,
    );
    expect(rest).toMatch(/^HTTP\/1\.1 413/);
    expect(rest).toMatch(/larger than \d+ bytes/);
  });

  it("refuses huge and deeply nested variables and long list arguments", async () => {
    const deepVariable = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const answer = await send("/graphql", {
      method: "POST",
      body: `{"query":"query($v: JSON) { currentSettings { enabled } }","variables":{"v":${deepVariable}}}`,
    });
    expectRefused(answer, /variables|nested|deep|depth/i);
    const ids = Array.from({ length: 12_000 }, (_, index) => index + 1);
    expectRefused(
      await graphql(
        "mutation($ids: [BigInt]!) { approveActions(input: { actionIds: $ids }) { clientMutationId } }",
        { ids },
        admin,
      ),
      /list|items|elements/i,
    );
    expectRefused(
      await graphql(
        `mutation { approveActions(input: { actionIds: [${ids.join(",")}] }) { clientMutationId } }`,
        undefined,
        admin,
      ),
      /list|items|elements|tokens/i,
    );
  });

  it("stops a request whose answer would be too large, by bytes, not the process", async () => {
    // 60 aliases are within the alias budget, but 60 × 100 rows × 64 KiB is about 390 MB of answer.
    const repeated = aliases(60, () => "allActions(first: 100) { nodes { actionData } }");
    const slowestHealth = await whileHealthPolled(async () => {
      expectStopped(await graphql(repeated));
      // Different pages, so nothing is shared: 3 × 100 rows × 64 KiB read from the database (19 MB).
      const pages = aliases(
        3,
        (index) => `allActions(first: 100, offset: ${index * 100}) { nodes { actionData } }`,
      );
      expectStopped(await graphql(pages));
    });
    expect(slowestHealth).toBeLessThan(QUICKLY_MS);
    // One page of such rows is fine.
    const page = await graphql("{ allActions(first: 50) { nodes { id actionData } } }");
    expect(page.status).toBe(200);
    expect(page.body.data.allActions.nodes).toHaveLength(50);
  });

  it("refuses concurrent over-budget requests one by one, with memory bounded", async () => {
    const pages = aliases(
      3,
      (index) => `allActions(first: 100, offset: ${index * 100}) { nodes { actionData } }`,
    );
    const slowestHealth = await whileHealthPolled(async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => graphql(pages)));
      // Stopped by bytes (413), or by time (503) when twelve at once wait for the pool's connections.
      for (const answer of answers) expect([413, 503]).toContain(answer.status);
      const slowest = Math.max(...answers.map((answer) => answer.ms));
      console.log(`hostile-http: 12 concurrent 19 MB reads stopped, the slowest in ${slowest.toFixed(0)} ms`);
    });
    expect(slowestHealth).toBeLessThan(QUICKLY_MS);
    expect(server.alive()).toBe(true);
    expect(await server.peakMemory()).toBeLessThan(PEAK_MEMORY_LIMIT);
  });

  it("refuses directive floods, deep introspection, unknown operations and GraphQL over GET", async () => {
    const flood = await graphql(`{ currentSettings ${"@include(if: true) ".repeat(5000)} { enabled } }`);
    expectRefused(flood, /tokens/);
    const deepIntrospection = `{ __schema { types { ${"fields { type { ".repeat(6)}name${" } }".repeat(6)} } } }`;
    expectRefused(await graphql(deepIntrospection), /nested/);
    const twoOperations = await send("/graphql", {
      method: "POST",
      body: JSON.stringify({
        query: "query A { currentSettings { enabled } } query B { circuitBreaker { breakerOpen } }",
      }),
    });
    expect(twoOperations.status).toBe(400);
    expectNoLeak(twoOperations);
    const unknown = await send("/graphql", {
      method: "POST",
      body: JSON.stringify({ query: "query A { currentSettings { enabled } }", operationName: "Nope" }),
    });
    expect(unknown.status).toBe(400);
    expectNoLeak(unknown);
    const overGet = await send(`/graphql?query=${encodeURIComponent("{ currentSettings { enabled } }")}`);
    expect(overGet.status).toBeGreaterThanOrEqual(400);
    expect(overGet.status).toBeLessThan(500);
    const hugeHeader = await send("/healthz", { token: "x".repeat(40_000) });
    expect(hugeHeader.status).toBe(431);
  });

  it("stops a request that runs too long and cancels the statement it is running", async () => {
    // A lock someone else holds (a DBA's transaction, a migration) keeps the request's statement
    // waiting: the statement_timeout (15 s) would let it wait on; the request's budget stops it.
    const lockHolder = await db.pool.connect();
    const logsQuery = "{ allExecutionLogs(first: 1, orderBy: ID_DESC) { nodes { id } } }";
    try {
      await lockHolder.query("begin");
      await lockHolder.query("lock table autoexec.execution_logs in access exclusive mode");
      const answer = await graphql(logsQuery);
      expect(answer.status, answer.text.slice(0, 300)).toBe(503);
      expect(messages(answer)).toMatch(/longer than 1500 ms \(GRAPHQL_TIMEOUT_MS\)/);
      expectNoLeak(answer);
      expect(answer.ms).toBeLessThan(GRAPHQL_TIMEOUT_MS + QUICKLY_MS);
      // Cancelled, not left waiting: the lock is still held, so a statement that was only abandoned
      // would still be there.
      const waiting = () =>
        db.pool.query<{ count: number }>(
          `select count(*)::int as count from pg_stat_activity
           where datname = current_database() and state = 'active' and query like '%execution_logs%'
             and pid not in (pg_backend_pid(), $1)`,
          [(lockHolder as unknown as { processID: number }).processID],
        );
      await waitFor(async () => (await waiting()).rows[0]?.count === 0, 5_000, {
        what: "the stopped request's statement to be cancelled",
      });
    } finally {
      await lockHolder.query("rollback");
      lockHolder.release();
    }
    const again = await graphql(logsQuery);
    expect(again.status, again.text.slice(0, 300)).toBe(200);
  });

  it("cuts off a body sent slowly, within the request timeout", async () => {
    const started = performance.now();
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
      let answer = "";
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ >= 40) return; // at most 40 bytes, one every 250 ms
        socket.write("x");
      }, 250);
      socket.on("connect", () => {
        socket.write(
          `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${viewer}\r\n` +
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        );
      });
      socket.on("data", (chunk) => {
        answer += String(chunk);
      });
      socket.on("close", () => {
        clearInterval(timer);
        resolve(answer);
      });
      socket.on("error", (error) => {
        clearInterval(timer);
        reject(error);
      });
    });
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + QUICKLY_MS);
    expect(closed === "" || /^HTTP\/1\.1 408/.test(closed)).toBe(true);
  });
});

describe("client errors answered as client errors (issue 12, point 7)", () => {
  it("a NUL in a rollback reason is a 400 that says so", async () => {
    const answer = await send("/api/monetization/execute/rollback", {
      method: "POST",
      token: admin,
      body: JSON.stringify({ executionLogId, reason: "because\u0000" }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/NUL|control character/i);
  });

  it("a NUL in a note, offset -1 and nesting 50 deep get GraphQL errors that say what was wrong", async () => {
    const note = await graphql(
      "mutation($id: BigInt!, $note: String!) { markActionImplemented(input: { actionId: $id, note: $note }) { clientMutationId } }",
      { id: actionId, note: "done\u0000" },
      admin,
    );
    expect(messages(note)).toMatch(/NUL|control character/i);
    expectNoLeak(note);
    const offset = await graphql("{ allActions(offset: -1) { nodes { id } } }");
    expect(messages(offset)).toMatch(/offset/i);
    expectNoLeak(offset);
    expectRefused(await graphql(nestedThroughTypes(24)), /depth|deep/i);
  });
});

describe("what the admin UI and GraphiQL send stays within the budget", () => {
  it("answers the UI's largest queries and the standard introspection query", async () => {
    const documents: [string, Record<string, unknown>][] = [
      [print(QUEUE_PAGE), { size: 100, offset: 0 }],
      [print(ACTION_DETAIL), { id: actionId }],
      [print(HISTORY_LOGS), { first: 100, offset: 0 }],
      [print(AUDIT_TRAIL), { first: 100, offset: 0 }],
      [print(SETTINGS_PAGE), {}],
      [
        print(CHARTS),
        {
          rangeStart: "2026-01-01T00:00:00Z",
          rangeEnd: "2026-01-31T00:00:00Z",
          dailyStart: "2026-01-17T00:00:00Z",
          dryRuns: true,
        },
      ],
      [getIntrospectionQuery(), {}],
    ];
    for (const [query, variables] of documents) {
      const answer = await graphql(query, variables, admin);
      expect(answer.body.errors, `${query.slice(0, 80)}: ${answer.text.slice(0, 300)}`).toBeUndefined();
      expect(answer.status).toBe(200);
    }
  });
});

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface Argument {
  name: string;
  type: TypeRef;
}
interface SchemaType {
  name: string;
  kind: string;
  inputFields: Argument[] | null;
  enumValues: { name: string }[] | null;
}
interface RootField {
  name: string;
  args: Argument[];
  type: TypeRef;
}

const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";
const INTROSPECT = `{ __schema {
  queryType { fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } }
  mutationType { fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } }
  types { name kind inputFields { name type { ${TYPE_REF} } } enumValues { name } }
} }`;

/** Hostile values per named input type: wrong types, edges of ranges, NUL, bidi, huge and nested values. */
const HOSTILE: Record<string, unknown[]> = {
  String: [
    "\u0000",
    "a\u0000b",
    "x".repeat(40_000),
    "\u202e\u2028\u0085",
    "'; select pg_sleep(5); --",
    "",
    " ",
    "\ud800",
    1,
    {},
  ],
  Int: [-1, 0, 2 ** 31, -(2 ** 31) - 1, 1.5, "1", 1e308],
  BigInt: ["-1", "0", "9223372036854775808", "1e3", "abc", "", 1.5, -1, "1".repeat(400)],
  Float: [-1, 1e308, "NaN", "Infinity"],
  BigFloat: ["NaN", "Infinity", "-Infinity", "1e100000", "abc", "-0", "1".repeat(2000)],
  Boolean: ["true", 1],
  Datetime: ["2020-13-45T00:00:00Z", "infinity", "-infinity", "0000-01-01", "abc", "99999-01-01T00:00:00Z"],
  JSON: [{ a: "\u0000" }, "x".repeat(40_000), nestedJson(30), [1, 2, 3]],
  Cursor: ["abc", "\u0000", "WyJub25lIl0=", "x".repeat(5000)],
};
const PLAUSIBLE: Record<string, unknown> = {
  String: "x",
  Int: 1,
  BigInt: "1",
  Float: 0.5,
  BigFloat: "0.5",
  Boolean: false,
  Datetime: "2026-01-01T00:00:00Z",
  JSON: {},
  Cursor: null,
};

function nestedJson(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

function named(type: TypeRef): TypeRef {
  return type.ofType ? named(type.ofType) : type;
}

function typeName(type: TypeRef): string {
  if (type.kind === "NON_NULL") return `${typeName(type.ofType as TypeRef)}!`;
  if (type.kind === "LIST") return `[${typeName(type.ofType as TypeRef)}]`;
  return type.name as string;
}

function isList(type: TypeRef): boolean {
  return type.kind === "LIST" || (type.kind === "NON_NULL" && isList(type.ofType as TypeRef));
}

/** A value GraphQL would accept for `type` (required input fields filled), or undefined if optional. */
function plausible(type: TypeRef, types: Map<string, SchemaType>, required = true): unknown {
  if (type.kind !== "NON_NULL" && !required) return undefined;
  const inner = type.kind === "NON_NULL" ? (type.ofType as TypeRef) : type;
  if (inner.kind === "LIST") return [plausible(inner.ofType as TypeRef, types)];
  const schemaType = types.get(inner.name as string);
  if (schemaType?.kind === "ENUM") return schemaType.enumValues?.[0]?.name;
  if (schemaType?.kind === "INPUT_OBJECT") {
    return Object.fromEntries(
      (schemaType.inputFields ?? [])
        .map((field) => [field.name, plausible(field.type, types, false)])
        .filter(([, value]) => value !== undefined),
    );
  }
  return PLAUSIBLE[inner.name as string] ?? "x";
}

/** Hostile values for `type`: its scalar's list, and for input objects each field's, one at a time. */
function hostile(type: TypeRef, types: Map<string, SchemaType>, depth = 0): unknown[] {
  const base = named(type);
  const schemaType = types.get(base.name as string);
  const values: unknown[] = [];
  if (isList(type))
    values.push(
      [null],
      Array.from({ length: 1001 }, () => plausible(base, types)),
    );
  if (schemaType?.kind === "ENUM") values.push("NOPE", 1, "");
  else if (schemaType?.kind === "INPUT_OBJECT") {
    const valid = plausible({ kind: "NON_NULL", name: null, ofType: base }, types) as Record<string, unknown>;
    values.push({ ...valid, notAField: 1 }, "x", []);
    if (depth < 2) {
      for (const field of schemaType.inputFields ?? []) {
        for (const value of hostile(field.type, types, depth + 1))
          values.push({ ...valid, [field.name]: value });
      }
    }
  } else values.push(...(HOSTILE[base.name as string] ?? ["x", -1, {}]));
  return values;
}

interface Probe {
  query: string;
  variables: Record<string, unknown>;
  what: string;
}

/** One probe per hostile value of each argument of `field`, the other arguments plausible. */
function probes(operation: "query" | "mutation", field: RootField, types: Map<string, SchemaType>): Probe[] {
  const returned = types.get(named(field.type).name as string);
  const selection =
    returned && ["OBJECT", "INTERFACE", "UNION"].includes(returned.kind) ? " { __typename }" : "";
  const declared = field.args.map((arg) => `$${arg.name}: ${typeName(arg.type)}`).join(", ");
  const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const query = `${operation}(${declared}) { ${field.name}(${passed})${selection} }`;
  const valid = Object.fromEntries(
    field.args.map((arg) => [arg.name, plausible(arg.type, types, false) ?? null]),
  );
  return field.args.flatMap((arg) =>
    hostile(arg.type, types).map((value) => ({
      query,
      variables: { ...valid, [arg.name]: value },
      what: `${field.name}(${arg.name}: ${JSON.stringify(value)?.slice(0, 60)})`,
    })),
  );
}

describe("fuzzing every REST route and GraphQL argument with hostile values (issue 12, point 7)", () => {
  /** Each answer: below 500, no stack, no "internal error", and any error says something. */
  function problemsOf(answer: Answer, what: string): string[] {
    const found: string[] = [];
    if (answer.status >= 500) found.push(`${what}: status ${answer.status} ${answer.text.slice(0, 200)}`);
    if (/internal error/i.test(answer.text)) found.push(`${what}: ${answer.text.slice(0, 200)}`);
    if (/\n\s+at .+:\d+:\d+/.test(answer.text)) found.push(`${what}: a stack trace`);
    for (const error of (answer.body?.errors ?? []) as { message?: string }[]) {
      if (!error.message?.trim()) found.push(`${what}: an error without a message`);
    }
    return found;
  }

  it("GraphQL: every argument of every query field and mutation", async () => {
    const schema = (await graphql(INTROSPECT, undefined, admin)).body.data.__schema;
    const types = new Map<string, SchemaType>(
      (schema.types as SchemaType[]).map((type) => [type.name, type]),
    );
    const all = [
      ...(schema.queryType.fields as RootField[]).map((field) => probes("query", field, types)),
      ...(schema.mutationType.fields as RootField[]).map((field) => probes("mutation", field, types)),
    ].flat();
    expect(all.length).toBeGreaterThan(300);
    const found: string[] = [];
    for (const probe of all) {
      found.push(...problemsOf(await graphql(probe.query, probe.variables, admin), probe.what));
    }
    console.log(`hostile-http: ${all.length} GraphQL probes`);
    if (found.length)
      console.log(
        server
          .output()
          .split("\n")
          .filter((line) => line.includes("internal error"))
          .slice(0, 2)
          .join("\n"),
      );
    expect(found).toEqual([]);
  });

  it("REST: every route, with hostile bodies and query strings", async () => {
    const ids: unknown[] = [
      -1,
      0,
      1.5,
      "1e3",
      "9223372036854775808",
      "abc",
      "\u0000",
      null,
      true,
      [],
      {},
      2 ** 53,
    ];
    const bodies: [string, unknown][] = [
      ...ids.map((id): [string, unknown] => ["/execute", { actionId: id }]),
      ["/execute", { actionId: actionId, force: "yes" }],
      ["/execute", { actionId: actionId, extra: 1 }],
      ...ids.map((id): [string, unknown] => ["/execute/rollback", { executionLogId: id, reason: "r" }]),
      ...(HOSTILE.String ?? []).map((reason): [string, unknown] => [
        "/execute/rollback",
        { executionLogId, reason: typeof reason === "string" ? reason.slice(0, 10_000) : reason },
      ]),
      ["/execute/rollback", { executionLogId, reason: "r", force: "yes" }],
    ];
    const found: string[] = [];
    for (const [route, body] of bodies) {
      const what = `POST ${route} ${JSON.stringify(body).slice(0, 60)}`;
      const answer = await send(`/api/monetization${route}`, {
        method: "POST",
        token: admin,
        body: JSON.stringify(body),
      });
      found.push(...problemsOf(answer, what));
    }
    const raw = ["", "{", "[]", "null", '"x"', "1", `${"[".repeat(5000)}${"]".repeat(5000)}`, "\u0000"];
    for (const route of ["/execute", "/execute/rollback"]) {
      for (const body of raw) {
        const answer = await send(`/api/monetization${route}`, { method: "POST", token: admin, body });
        found.push(...problemsOf(answer, `POST ${route} raw ${body.slice(0, 20)}`));
        expect(answer.status).toBeGreaterThanOrEqual(400);
      }
      const text = await send(`/api/monetization${route}`, {
        method: "POST",
        token: admin,
        body: "{}",
        headers: { "content-type": "text/plain" },
      });
      expect(text.status).toBe(415);
    }
    const parameters = [
      "2026-13-01T00:00:00Z",
      "infinity",
      "\u0000",
      "-1",
      "1e9",
      "abc",
      "%00",
      "x".repeat(5000),
    ];
    for (const name of ["from", "to", "recent", "unknown"]) {
      for (const value of parameters) {
        const path = `/api/monetization/execution/stats?${name}=${encodeURIComponent(value)}`;
        const answer = await send(path, { token: admin });
        found.push(...problemsOf(answer, `GET ${path.slice(0, 80)}`));
        expect(answer.status).toBeGreaterThanOrEqual(400);
      }
    }
    const twice = await send(
      "/api/monetization/execution/stats?from=2026-01-01T00:00:00Z&from=2026-01-02T00:00:00Z",
      {
        token: admin,
      },
    );
    found.push(...problemsOf(twice, "GET stats with from twice"));
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      found.push(...problemsOf(await send("/api/monetization/execute", { method, token: admin }), method));
    }
    expect(found).toEqual([]);
  });
});

describe("at the end", () => {
  it("the server is alive, answers a normal query and its peak memory stayed bounded", async () => {
    expect(deaths.join("\n")).toBe("");
    expect(server.alive()).toBe(true);
    expect((await send("/healthz", { token: null })).status).toBe(200);
    const settings = await graphql("{ currentSettings { enabled } }");
    expect(settings.body).toEqual({ data: { currentSettings: { enabled: expect.any(Boolean) } } });
    const peak = await server.peakMemory();
    expect(peak).toBeLessThan(PEAK_MEMORY_LIMIT);
    // Nothing above was an internal error, and each stopped request was said so.
    const errorLines = server
      .output()
      .split("\n")
      .filter((line) => line.includes('"level":50'));
    expect(errorLines.map((line) => line.slice(0, 300))).toEqual([]);
    expect(server.output()).toContain("GraphQL request stopped: over its budget");
  });
});
