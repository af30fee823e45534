import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/http/app.ts";
import { type HttpServer, listen } from "../src/http/serve.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { insertAction, insertMod } from "./support/fixtures.ts";
import { createTestApi, TEST_JWT_SECRET, type TestApi } from "./support/http.ts";

let db: TestDatabase;
let api: TestApi;
let server: HttpServer;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await createTestApi(db);
  // The same app over a real socket, for the tests that must cross HTTP.
  server = await listen({ app: api.app, close: async () => {} } as App, 0, "127.0.0.1");
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  await db?.drop();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);

type Who = "admin" | "viewer" | "agent" | "none";
const WHO: Who[] = ["admin", "viewer", "agent", "none"];

async function tokenFor(who: Who): Promise<string | null> {
  return who === "none" ? null : api.token(who, `${who}-user`);
}

interface Route {
  name: string;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  expected: Record<Who, number>;
}

const QUERY = { query: "{ allActionTypes(first: 1) { totalCount } }" };
const MUTATION = {
  query: 'mutation { resetCircuitBreaker(input: {reason: "auth test"}) { result { breakerOpen } } }',
};

/** Every route, and what each kind of caller gets. Changes with a missing id reach the route (404). */
const ROUTES: Route[] = [
  {
    name: "health",
    method: "GET",
    path: "/healthz",
    expected: { admin: 200, viewer: 200, agent: 200, none: 200 },
  },
  {
    name: "OpenAPI document",
    method: "GET",
    path: "/api/openapi.json",
    expected: { admin: 200, viewer: 200, agent: 200, none: 200 },
  },
  {
    name: "GraphiQL page",
    method: "GET",
    path: "/graphiql",
    expected: { admin: 200, viewer: 200, agent: 200, none: 200 },
  },
  {
    name: "GraphQL query",
    method: "POST",
    path: "/graphql",
    body: QUERY,
    expected: { admin: 200, viewer: 200, agent: 403, none: 401 },
  },
  {
    name: "GraphQL mutation",
    method: "POST",
    path: "/graphql",
    body: MUTATION,
    expected: { admin: 200, viewer: 403, agent: 403, none: 401 },
  },
  {
    name: "execute",
    method: "POST",
    path: "/api/monetization/execute",
    body: { actionId: 999_999 },
    expected: { admin: 404, viewer: 403, agent: 403, none: 401 },
  },
  {
    name: "rollback",
    method: "POST",
    path: "/api/monetization/execute/rollback",
    body: { executionLogId: 999_999, reason: "auth test" },
    expected: { admin: 404, viewer: 403, agent: 403, none: 401 },
  },
  {
    name: "stats",
    method: "GET",
    path: "/api/monetization/execution/stats",
    expected: { admin: 200, viewer: 200, agent: 403, none: 401 },
  },
  {
    name: "an unknown API path",
    method: "GET",
    path: "/api/monetization/nothing-here",
    expected: { admin: 404, viewer: 404, agent: 403, none: 401 },
  },
];

async function call(route: Route, token: string | null, over: "app.request" | "http") {
  const init = {
    method: route.method,
    headers: {
      ...(route.body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(route.body ? { body: JSON.stringify(route.body) } : {}),
  };
  const response =
    over === "http"
      ? await fetch(`${server.url}${route.path}`, init)
      : await api.app.request(route.path, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe.each(["app.request", "http"] as const)("every route for every caller, over %s", (over) => {
  it.each(ROUTES.map((route) => [route.name, route] as const))("%s", async (_name, route) => {
    for (const who of WHO) {
      const answer = await call(route, await tokenFor(who), over);
      expect({ who, status: answer.status }).toEqual({ who, status: route.expected[who] });
      if (answer.status >= 400) {
        // A refusal is JSON with a message for people, never a stack or SQL.
        const body = JSON.parse(answer.text);
        expect(body).toMatchObject({ success: false, error: expect.any(String) });
        expect(answer.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|select |insert into|autoexec_private/i);
      }
      if (answer.status === 401) expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });
});

/** Every mutation of the schema; each must be refused for anyone but an admin, before it runs. */
const MUTATIONS = [
  'approveAction(input: {actionId: "1"}) { clientMutationId }',
  'approveActions(input: {actionIds: ["1"]}) { clientMutationId }',
  'rejectAction(input: {actionId: "1", reason: "x"}) { clientMutationId }',
  'markActionImplemented(input: {actionId: "1", note: "x"}) { clientMutationId }',
  "updateSettings(input: {enabled: true}) { clientMutationId }",
  'setActionTypeMode(input: {type: "ADD_AD_SLOT", mode: live}) { clientMutationId }',
  "applyRolloutPhase(input: {phase: 3}) { clientMutationId }",
  'resetCircuitBreaker(input: {reason: "x"}) { clientMutationId }',
  'markNotificationsRead(input: {notificationIds: ["1"]}) { clientMutationId }',
];

describe("every mutation, for everyone but an admin, over app.request and HTTP", () => {
  it.each(MUTATIONS.map((mutation) => [mutation.split("(")[0], mutation] as const))(
    "%s",
    async (_name, mutation) => {
      const before = await db.pool.query("select count(*)::int as n from autoexec.audit_events");
      for (const [who, status] of [
        ["viewer", 403],
        ["agent", 403],
        ["none", 401],
      ] as const) {
        const token = await tokenFor(who);
        const init = {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query: `mutation { ${mutation} }` }),
        };
        for (const response of [
          await api.app.request("/graphql", init),
          await fetch(`${server.url}/graphql`, init),
        ]) {
          expect({ who, status: response.status }).toEqual({ who, status });
        }
      }
      const after = await db.pool.query("select count(*)::int as n from autoexec.audit_events");
      expect(after.rows[0].n).toBe(before.rows[0].n);
    },
  );
});

describe("forged and broken tokens are refused with 401", () => {
  const expectUnauthorized = async (authorization: string, message: RegExp) => {
    const response = await api.app.request("/api/monetization/execution/stats", {
      headers: { authorization },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  };

  it("signed with another secret", async () => {
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-that-is-long-enough-0123456789"));
    await expectUnauthorized(`Bearer ${token}`, /not valid/);
  });

  it("unsigned (alg none)", async () => {
    const token = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "mallory", role: "admin", exp: nowSeconds() + 3600 })}.`;
    await expectUnauthorized(`Bearer ${token}`, /not valid/);
  });

  it("signed with the right secret but another algorithm (HS512): the algorithm is pinned", async () => {
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("mallory")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    await expectUnauthorized(`Bearer ${token}`, /not valid/);
  });

  it("expired", async () => {
    await expectUnauthorized(`Bearer ${await api.token("admin", "alice", nowSeconds() - 60)}`, /expired/);
  });

  it("without an expiry", async () => {
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice")
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    await expectUnauthorized(`Bearer ${token}`, /exp/);
  });

  it("whose role was changed from viewer to admin after signing", async () => {
    const [header, payload, signature] = (await api.token("viewer", "eve")).split(".");
    const claims = JSON.parse(Buffer.from(payload as string, "base64url").toString());
    expect(claims.role).toBe("viewer");
    const forged = `${header}.${b64({ ...claims, role: "admin" })}.${signature}`;
    await expectUnauthorized(`Bearer ${forged}`, /not valid/);
    // The same tampering on a mutation: refused before anything runs.
    const response = await api.app.request("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${forged}` },
      body: JSON.stringify(MUTATION),
    });
    expect(response.status).toBe(401);
  });

  it("malformed tokens and headers", async () => {
    await expectUnauthorized("Bearer", /Bearer <JWT>/);
    await expectUnauthorized("Bearer not-a-jwt", /Bearer <JWT>/);
    await expectUnauthorized("Basic YWxpY2U6c2VjcmV0", /Bearer <JWT>/);
    await expectUnauthorized("Bearer a.b.c", /not valid/);
    await expectUnauthorized(`Bearer ${b64({ alg: "HS256" })}.${b64("just a string")}.AAAA`, /not valid/);
  });

  it("without a subject or a role", async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const noSub = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(key);
    await expectUnauthorized(`Bearer ${noSub}`, /sub/);
    const noRole = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice")
      .setExpirationTime("1h")
      .sign(key);
    await expectUnauthorized(`Bearer ${noRole}`, /role/);
  });

  it("a valid token for a role the API does not serve is a 403, even a database role's name", async () => {
    for (const role of ["agent", "autoexec_admin", "superuser", ""]) {
      const response = await api.app.request("/api/monetization/execution/stats", {
        headers: { authorization: `Bearer ${await api.token(role)}` },
      });
      expect({ role, status: response.status }).toEqual({ role, status: 403 });
    }
  });
});

describe("the subject of the token", () => {
  it("is the actor recorded in SQL, verbatim, SQL metacharacters and all", async () => {
    const sub = `o'brien"; drop table autoexec.actions; --`;
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId: await insertMod(db.pool), text: "x" },
    });
    const { status, body } = await api.graphql(
      `mutation ($id: BigInt!, $note: String) {
        approveAction(input: {actionId: $id, note: $note}) { result { status reviewedBy reviewNote } }
      }`,
      { id: String(actionId), note: "looks good; -- 'quoted'" },
      await api.token("admin", sub),
    );
    expect(status).toBe(200);
    expect(body.data?.approveAction).toEqual({
      result: { status: "APPROVED", reviewedBy: sub, reviewNote: "looks good; -- 'quoted'" },
    });
    const { rows } = await db.pool.query(
      "select actor, note from autoexec.audit_events where subject_id = $1",
      [String(actionId)],
    );
    expect(rows).toEqual([{ actor: sub, note: "looks good; -- 'quoted'" }]);
    expect(
      (await db.pool.query("select count(*)::int as n from autoexec.actions")).rows[0].n,
    ).toBeGreaterThan(0);
  });
});

describe("the transport", () => {
  it("sends secure headers", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("refuses oversized bodies with 413 before reading them, on REST and GraphQL", async () => {
    const token = await api.token("admin");
    const huge = JSON.stringify({ executionLogId: 1, reason: "x".repeat(200_000) });
    for (const path of ["/api/monetization/execute/rollback", "/graphql"]) {
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: huge,
      });
      expect({ path, status: response.status }).toEqual({ path, status: 413 });
      expect(((await response.json()) as { error: string }).error).toMatch(/larger than/);
    }
    // Even without a token: the size is checked first.
    const anonymous = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: huge,
    });
    expect(anonymous.status).toBe(413);
  });

  it("answers bad bodies with a 4xx and a message", async () => {
    const token = await api.token("admin");
    const post = (path: string, body: string, type = "application/json") =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": type, authorization: `Bearer ${token}` },
        body,
      });
    const cases = [
      ["/api/monetization/execute", "{not json", 400, /not valid JSON/],
      ["/api/monetization/execute", '{"actionId": "12abc"}', 400, /actionId/],
      ["/api/monetization/execute", '{"actionId": 1, "force": "yes"}', 400, /force/],
      ["/api/monetization/execute", '{"actionId": 1, "extra": 1}', 400, /extra/],
      ["/api/monetization/execute/rollback", '{"executionLogId": 1, "reason": "   "}', 400, /reason/],
      ["/graphql", "{not json", 400, /not valid JSON/],
      ["/graphql", '[{"query": "{ __typename }"}]', 400, /one GraphQL request/],
    ] as const;
    for (const [path, body, status, message] of cases) {
      const response = await post(path, body);
      const text = await response.text();
      expect({ path, body, status: response.status }).toEqual({ path, body, status });
      expect(JSON.parse(text).error).toMatch(message);
    }
    const wrongType = await post(
      "/api/monetization/execute",
      "actionId=1",
      "application/x-www-form-urlencoded",
    );
    expect(wrongType.status).toBe(415);
  });
});
