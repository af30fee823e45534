import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../src/http/graphql-plugins.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { amazonLink, insertAction, insertMod } from "./support/fixtures.ts";
import { createTestApi, type TestApi } from "./support/http.ts";

let db: TestDatabase;
let api: TestApi;
let viewer: string;
let admin: string;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await createTestApi(db);
  viewer = await api.token("viewer", "victor");
  admin = await api.token("admin", "alice");
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

/** Runs a query that must succeed and returns its data. */
async function data(query: string, variables: Record<string, unknown> = {}, token = admin) {
  const { status, body } = await api.graphql(query, variables, token);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the query selected
  return body.data as Record<string, any>;
}

/** Runs a query that must fail with one GraphQL error, and returns its message. */
async function graphqlError(query: string, variables: Record<string, unknown> = {}, token = admin) {
  const { body } = await api.graphql(query, variables, token);
  expect(body.errors, JSON.stringify(body)).toHaveLength(1);
  return body.errors?.[0]?.message as string;
}

async function insertLog(fields: {
  actionId: number;
  executedAt: string;
  executedBy: string;
  mode?: "live" | "dry_run";
  success?: boolean;
}) {
  const { rows } = await db.pool.query<{ id: number }>(
    `insert into autoexec.execution_logs (action_id, action_type, execution_tier, executed_at, executed_by, mode,
       attempt, input_data, success, error_message, duration_ms)
     select a.id, a.type, a.execution_tier, $2, $3, $4, 1, a.action_data, $5, case when $5 then null else 'boom' end, 3
     from autoexec.actions a where a.id = $1 returning id`,
    [fields.actionId, fields.executedAt, fields.executedBy, fields.mode ?? "live", fields.success ?? true],
  );
  return rows[0]?.id as number;
}

describe("queries (admins and viewers alike)", () => {
  let actions: { link: number; expand: number; pricing: number };
  beforeAll(async () => {
    const mod = await insertMod(db.pool);
    actions = {
      link: await insertAction(db.pool, { data: amazonLink(mod) }),
      expand: await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: mod, text: "More." } }),
      pricing: await insertAction(db.pool, { type: "CHANGE_PRICING", data: { modId: mod } }),
    };
    await db.pool.query("update autoexec.actions set created_at = '2026-01-10T12:00:00Z' where id = $1", [
      actions.link,
    ]);
    await db.pool.query("update autoexec.actions set created_at = '2026-02-10T12:00:00Z' where id <> $1", [
      actions.link,
    ]);
    await insertLog({
      actionId: actions.link,
      executedAt: "2026-01-10T12:05:00Z",
      executedBy: "auto",
      success: false,
    });
    await insertLog({ actionId: actions.link, executedAt: "2026-01-10T12:10:00Z", executedBy: "auto" });
    await insertLog({
      actionId: actions.expand,
      executedAt: "2026-02-11T09:00:00Z",
      executedBy: "approved",
      mode: "dry_run",
    });
    await insertLog({ actionId: actions.expand, executedAt: "2026-02-11T10:00:00Z", executedBy: "approved" });
    await insertLog({
      actionId: actions.link,
      executedAt: "2026-02-12T10:00:00Z",
      executedBy: "bob",
      success: false,
    });
  });

  it("lists actions by status, tier, type and creation date, with totals and paging", async () => {
    for (const token of [admin, viewer]) {
      const result = await data(
        `{
          all: allActions(orderBy: ID_ASC) { totalCount nodes { id type status executionTier } }
          tier2: allActions(condition: {executionTier: TIER_2}) { totalCount nodes { type } }
          pending3: allActions(condition: {status: PENDING, type: "CHANGE_PRICING"}) { totalCount }
          january: allActions(condition: {createdFrom: "2026-01-01T00:00:00Z", createdBefore: "2026-02-01T00:00:00Z"}) {
            totalCount nodes { id }
          }
          page: allActions(first: 1, offset: 1, orderBy: ID_ASC) { totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage } }
        }`,
        {},
        token,
      );
      expect(result.all.totalCount).toBe(3);
      expect(result.all.nodes.map((node: { executionTier: string }) => node.executionTier)).toEqual([
        "TIER_1",
        "TIER_2",
        "TIER_3",
      ]);
      expect(result.tier2).toEqual({ totalCount: 1, nodes: [{ type: "EXPAND_CONTENT" }] });
      expect(result.pending3.totalCount).toBe(1);
      expect(result.january).toEqual({ totalCount: 1, nodes: [{ id: String(actions.link) }] });
      expect(result.page).toEqual({
        totalCount: 3,
        nodes: [{ id: String(actions.expand) }],
        pageInfo: { hasNextPage: true, hasPreviousPage: true },
      });
    }
  });

  it("lists execution logs by who ran them (auto, approved, a user), mode, success, type and date", async () => {
    const result = await data(
      `{
        auto: allExecutionLogs(condition: {executedByKind: AUTO}) { totalCount }
        approved: allExecutionLogs(condition: {executedByKind: APPROVED}) { totalCount }
        manual: allExecutionLogs(condition: {executedByKind: MANUAL}) { totalCount nodes { executedBy success } }
        dryRuns: allExecutionLogs(condition: {mode: dry_run}) { totalCount }
        failed: allExecutionLogs(condition: {success: false}) { totalCount }
        links: allExecutionLogs(condition: {actionType: "ADD_AFFILIATE_LINK", success: true}) { totalCount }
        february: allExecutionLogs(condition: {executedFrom: "2026-02-11T09:00:00Z", executedBefore: "2026-02-12T00:00:00Z"}) {
          totalCount nodes { executedAt actionByActionId { type } }
        }
      }`,
      {},
      viewer,
    );
    expect(result.auto.totalCount).toBe(2);
    expect(result.approved.totalCount).toBe(2);
    expect(result.manual).toEqual({ totalCount: 1, nodes: [{ executedBy: "bob", success: false }] });
    expect(result.dryRuns.totalCount).toBe(1);
    expect(result.failed.totalCount).toBe(2);
    expect(result.links.totalCount).toBe(1);
    expect(result.february.totalCount).toBe(2);
    expect(result.february.nodes[0].actionByActionId).toEqual({ type: "EXPAND_CONTENT" });
  });

  it("reads action types, settings, the circuit breaker, notifications and audit events", async () => {
    await db.pool.query(
      `insert into autoexec.notifications (kind, severity, message) values ('test', 'info', 'one'), ('test', 'warning', 'two')`,
    );
    await db.pool.query("update autoexec.notifications set read_at = now() where message = 'one'");
    await db.pool.query(
      `insert into autoexec.audit_events (occurred_at, actor, action, subject_type, note)
       values ('2025-06-01T00:00:00Z', 'dba', 'settings.updated', 'settings', 'old one')`,
    );
    const result = await data(
      `{
        allActionTypes(condition: {tier: TIER_3}) { totalCount nodes { type mode autoExecutable } }
        currentSettings { enabled dryRun minConfidence hourlyLimit cooldown { hours minutes } }
        circuitBreaker { breakerOpen consecutiveFailures }
        unread: allNotifications(condition: {unread: true}) { totalCount nodes { message severity } }
        allNotifications { totalCount }
        old: allAuditEvents(condition: {occurredBefore: "2026-01-01T00:00:00Z"}) { nodes { actor note } }
        executionStats(rangeStart: "2026-01-01T00:00:00Z", rangeEnd: "2026-03-01T00:00:00Z", recentLimit: 2) {
          rangeStart byType { type attempts succeeded failed rolledBack }
          metrics { executions succeeded failed successRate tier1TimeToExecute { executions p50Seconds } }
          recentExecutions { id success }
        }
      }`,
      {},
      viewer,
    );
    expect(result.allActionTypes.totalCount).toBe(5);
    expect(result.allActionTypes.nodes.every((node: { mode: string }) => node.mode === "disabled")).toBe(
      true,
    );
    expect(result.currentSettings).toEqual({
      enabled: false,
      dryRun: true,
      minConfidence: "0.7",
      hourlyLimit: 10,
      cooldown: { hours: 1, minutes: 0 },
    });
    expect(result.circuitBreaker).toEqual({ breakerOpen: false, consecutiveFailures: 0 });
    expect(result.unread).toEqual({ totalCount: 1, nodes: [{ message: "two", severity: "warning" }] });
    expect(result.allNotifications.totalCount).toBe(2);
    expect(result.old.nodes).toEqual([{ actor: "dba", note: "old one" }]);
    // Typed: each figure is a field of its own (issue 15 part 5), not one JSON value.
    expect(result.executionStats.metrics).toMatchObject({
      executions: 4,
      succeeded: 2,
      failed: 2,
      successRate: 0.5,
    });
    const byType = result.executionStats.byType as { type: string; attempts: number }[];
    expect(byType.map((row) => row.type)).toEqual([...byType.map((row) => row.type)].sort());
    expect(byType.reduce((sum, row) => sum + row.attempts, 0)).toBe(4);
    expect(result.executionStats.recentExecutions).toHaveLength(2);
    expect(new Date(result.executionStats.rangeStart).toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("reads the DBA views too", async () => {
    const result = await data(
      `query ($id: BigInt!) {
        allActionHistories(condition: {actionId: $id}, orderBy: AT_ASC) { nodes { event actor } }
        allDailyExecutions { totalCount }
      }`,
      { id: String(actions.link) },
      viewer,
    );
    expect(result.allActionHistories.nodes.map((node: { event: string }) => node.event)).toEqual([
      "proposed",
      "execution_failed",
      "executed",
      "execution_failed",
    ]);
    expect(result.allDailyExecutions.totalCount).toBeGreaterThan(0);
  });
});

describe("page sizes", () => {
  beforeAll(async () => {
    await db.pool.query(
      `insert into autoexec.notifications (kind, severity, message)
       select 'bulk', 'info', 'notice ' || g from generate_series(1, 150) g`,
    );
  });

  it(`returns ${DEFAULT_PAGE_SIZE} rows when asked for neither first nor last, and at most ${MAX_PAGE_SIZE}`, async () => {
    const result = await data(
      `{
        unbounded: allNotifications(condition: {createdFrom: "2000-01-01T00:00:00Z"}) {
          totalCount nodes { id } pageInfo { hasNextPage }
        }
        full: allNotifications(first: ${MAX_PAGE_SIZE}) { nodes { id } }
        tail: allNotifications(last: 5, orderBy: ID_ASC) { nodes { message } }
      }`,
    );
    expect(result.unbounded.nodes).toHaveLength(DEFAULT_PAGE_SIZE);
    expect(result.unbounded.totalCount).toBeGreaterThanOrEqual(150);
    expect(result.unbounded.pageInfo.hasNextPage).toBe(true);
    expect(result.full.nodes).toHaveLength(MAX_PAGE_SIZE);
    expect(result.tail.nodes.map((node: { message: string }) => node.message)).toEqual([
      "notice 146",
      "notice 147",
      "notice 148",
      "notice 149",
      "notice 150",
    ]);
  });

  it("refuses first or last above the cap, as a literal or a variable, and on nested connections", async () => {
    expect(await graphqlError(`{ allNotifications(first: ${MAX_PAGE_SIZE + 1}) { nodes { id } } }`)).toBe(
      `\`first\` is ${MAX_PAGE_SIZE + 1}; a page holds at most ${MAX_PAGE_SIZE} rows`,
    );
    expect(
      await graphqlError("query ($n: Int) { allNotifications(last: $n) { nodes { id } } }", { n: 1_000_000 }),
    ).toMatch(/`last` is 1000000/);
    expect(
      await graphqlError(
        "{ allActions(first: 1) { nodes { executionLogsByActionId(first: 500) { totalCount } } } }",
      ),
    ).toMatch(/`first` is 500/);
    expect(await graphqlError("{ allNotifications(first: -1) { nodes { id } } }")).toMatch(/0 or more/);
  });
});

describe("mutations: admins only, each one through its SQL function", () => {
  const viewerRefused = async (query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await api.graphql(query, variables, viewer);
    expect(status).toBe(403);
    expect(body.error).toMatch(/viewers may only read/);
  };

  it("approveAction, rejectAction, approveActions and markActionImplemented record the admin", async () => {
    const mod = await insertMod(db.pool);
    const [a, b, c, d, e] = await Promise.all(
      [0, 1, 2, 3]
        .map((n) => insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: mod, text: `t${n}` } }))
        .concat([insertAction(db.pool, { type: "REMOVE_CONTENT", data: { modId: mod } })]),
    );
    const approve =
      'mutation ($id: BigInt!) { approveAction(input: {actionId: $id, note: "ok"}) { result { status reviewedBy } } }';
    await viewerRefused(approve, { id: String(a) });
    expect((await data(approve, { id: String(a) })).approveAction.result).toEqual({
      status: "APPROVED",
      reviewedBy: "alice",
    });

    const reject =
      'mutation ($id: BigInt!) { rejectAction(input: {actionId: $id, reason: "no"}) { result { status statusReason } } }';
    await viewerRefused(reject, { id: String(b) });
    expect((await data(reject, { id: String(b) })).rejectAction.result).toEqual({
      status: "REJECTED",
      statusReason: "rejected: no",
    });

    const many =
      "mutation ($ids: [BigInt]) { approveActions(input: {actionIds: $ids}) { result { id status } } }";
    await viewerRefused(many, { ids: [String(c), String(d)] });
    expect((await data(many, { ids: [String(c), String(d)] })).approveActions.result).toEqual([
      { id: String(c), status: "APPROVED" },
      { id: String(d), status: "APPROVED" },
    ]);

    const implemented =
      'mutation ($id: BigInt!) { markActionImplemented(input: {actionId: $id, note: "done by hand"}) { result { status reviewedBy } } }';
    await viewerRefused(implemented, { id: String(e) });
    expect((await data(implemented, { id: String(e) })).markActionImplemented.result).toEqual({
      status: "IMPLEMENTED",
      reviewedBy: "alice",
    });

    // The bulk approval is one event listing both actions (issue 14), not one per action.
    const { rows } = await db.pool.query(
      `select action, actor, new_values -> 'actionIds' as ids from autoexec.audit_events
       where subject_id = any($1) or subject_type = 'action_batch' order by id`,
      [[a, b, c, d, e].map(String)],
    );
    expect(rows).toEqual([
      { action: "action.approved", actor: "alice", ids: null },
      { action: "action.rejected", actor: "alice", ids: null },
      { action: "actions.approved", actor: "alice", ids: [c, d] },
      { action: "action.implemented", actor: "alice", ids: null },
    ]);
    // A readable refusal from the function, not SQL.
    expect(await graphqlError(approve, { id: String(a) })).toMatch(/only a PENDING action can be approved/);
    expect(await graphqlError(approve, { id: "987654321" })).toBe("action 987654321 not found");
  });

  it("updateSettings changes only what it is given, is audited with the actor, and explains refusals", async () => {
    const update = `mutation ($input: UpdateSettingsInput!) {
      updateSettings(input: $input) { result { enabled dryRun hourlyLimit minConfidence cooldown { minutes } webhookUrl } }
    }`;
    const input = {
      hourlyLimit: 7,
      minConfidence: "0.8",
      cooldown: { minutes: 5 },
      webhookUrl: "https://hooks.example/x",
    };
    await viewerRefused(update, { input });
    expect((await data(update, { input })).updateSettings.result).toEqual({
      enabled: false,
      dryRun: true,
      hourlyLimit: 7,
      minConfidence: "0.8",
      cooldown: { minutes: 5 },
      webhookUrl: "https://hooks.example/x",
    });
    const { rows } = await db.pool.query(
      "select actor, new_values from autoexec.audit_events where action = 'settings.updated' order by id desc limit 1",
    );
    expect(rows[0]).toEqual({
      actor: "alice",
      new_values: {
        hourly_limit: 7,
        min_confidence: 0.8,
        cooldown: "00:05:00",
        webhook_url: "https://hooks.example/x",
      },
    });
    expect((await data(update, { input: { webhookUrl: "" } })).updateSettings.result.webhookUrl).toBeNull();
    expect(await graphqlError(update, { input: { minConfidence: "1.5" } })).toBe(
      "settings refused: min_confidence must be between 0 and 1",
    );
    expect(await graphqlError(update, { input: { webhookUrl: "ftp://nope" } })).toMatch(
      /webhook_url must be an address that starts with http/,
    );
    await db.pool.query("update autoexec.settings set webhook_url = null");
  });

  it("setActionTypeMode, applyRolloutPhase, resetCircuitBreaker", async () => {
    const mode = `mutation { setActionTypeMode(input: {type: "ADD_AD_SLOT", mode: dry_run, dailyCap: 2}) {
      result { type mode dailyCap } } }`;
    await viewerRefused(mode);
    expect((await data(mode)).setActionTypeMode.result).toEqual({
      type: "ADD_AD_SLOT",
      mode: "dry_run",
      dailyCap: 2,
    });
    expect(
      await graphqlError(
        'mutation { setActionTypeMode(input: {type: "CHANGE_URL", mode: live}) { result { mode } } }',
      ),
    ).toMatch(/Tier 3 types are always disabled/);

    const phase = "mutation { applyRolloutPhase(input: {phase: 2}) { result { type mode dailyCap } } }";
    await viewerRefused(phase);
    const types = (await data(phase)).applyRolloutPhase.result;
    expect(types.find((t: { type: string }) => t.type === "ADD_AFFILIATE_LINK")).toEqual({
      type: "ADD_AFFILIATE_LINK",
      mode: "live",
      dailyCap: 5,
    });

    await db.pool.query(
      "update autoexec.engine_state set breaker_open = true, breaker_opened_at = now(), breaker_reason = 'test'",
    );
    const reset =
      'mutation { resetCircuitBreaker(input: {reason: "checked the handlers"}) { result { breakerOpen breakerResetBy } } }';
    await viewerRefused(reset);
    expect((await data(reset)).resetCircuitBreaker.result).toEqual({
      breakerOpen: false,
      breakerResetBy: "alice",
    });
    expect(
      await graphqlError('mutation { resetCircuitBreaker(input: {reason: ""}) { result { breakerOpen } } }'),
    ).toBe("a reason is required to reset the circuit breaker");
  });

  it("markNotificationsRead", async () => {
    const { rows } = await db.pool.query<{ id: number }>(
      "insert into autoexec.notifications (kind, severity, message) values ('t', 'info', 'read me') returning id",
    );
    const id = String(rows[0]?.id);
    const read =
      "mutation ($ids: [BigInt]) { markNotificationsRead(input: {notificationIds: $ids}) { result { id readAt } } }";
    await viewerRefused(read, { ids: [id] });
    const [notification] = (await data(read, { ids: [id] })).markNotificationsRead.result;
    expect(notification.id).toBe(id);
    expect(new Date(notification.readAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a viewer's mutation is refused whatever it is called or however it is wrapped", async () => {
    await viewerRefused('mutation Sneaky { resetCircuitBreaker(input: {reason: "x"}) { clientMutationId } }');
    await viewerRefused(
      'query A { __typename } mutation B { resetCircuitBreaker(input: {reason: "x"}) { clientMutationId } }',
    );
    const { rows } = await db.pool.query(
      "select count(*)::int as n from autoexec.audit_events where actor = 'victor'",
    );
    expect(rows[0].n).toBe(0);
  });
});

describe("the schema", () => {
  async function introspect() {
    return data(`{
      __schema {
        queryType { fields { name description } }
        mutationType { fields { name description } }
        types { name description fields { name description } }
      }
    }`);
  }

  it("has exactly the intended root fields: no private function, no generated create/update/delete", async () => {
    const { __schema: schema } = await introspect();
    expect(schema.queryType.fields.map((field: { name: string }) => field.name).sort()).toEqual(
      [
        "query",
        "actionById",
        "actionByIdempotencyKey",
        "actionPreview",
        "actionTypeByType",
        "affiliateHostByHost",
        "auditEventById",
        "executionLogById",
        "freezeWindowById",
        "notificationById",
        "allActionHistories",
        "allActionTypes",
        "allActions",
        "allAffiliateHosts",
        "allAuditEvents",
        "allDailyExecutions",
        "allExecutionLogs",
        "allFreezeWindows",
        "allNotifications",
        "allSettingLimitsList",
        "allTypeBreakers",
        "typeBreakerByType",
        "circuitBreaker",
        "currentSettings",
        "executionStats",
        "observabilitySnapshot",
        "openFreezeWindows",
        "rollbackPreview",
        "searchActionsList",
        "countActions",
        "matchingActionIds",
        "executionDaily",
        "shadowReport",
        "countExecutionLogs",
        "waitingLineForecast",
      ].sort(),
    );
    expect(schema.mutationType.fields.map((field: { name: string }) => field.name).sort()).toEqual([
      "addFreezeWindow",
      "applyRolloutPhase",
      "approveAction",
      "approveActionAsSeen",
      "approveActions",
      "cancelFreezeWindow",
      "clearCooldown",
      "decideActions",
      "markActionImplemented",
      "markNotificationsRead",
      "rejectAction",
      "resetCircuitBreaker",
      "retryAction",
      "saveSettings",
      "setActionTypeMode",
      "updateSettings",
    ]);
    const names = schema.types.flatMap((type: { name: string; fields: { name: string }[] | null }) => [
      type.name,
      ...(type.fields ?? []).map((field) => `${type.name}.${field.name}`),
    ]);
    expect(names.length).toBeGreaterThan(100);
    const suspicious = /private|migration|guard|claim|record|sweep|notify|logjson|graphile|content|mods/i;
    expect(names.filter((name: string) => suspicious.test(name))).toEqual([]);
  });

  it("serves statuses, modes, wait kinds, severities and tiers as enums whose values are the vocabulary tables' rows, in fields and arguments", async () => {
    const { __schema: schema } = await data(`{
      __schema { types { name kind enumValues { name description }
        fields { name type { name ofType { name } } args { name type { name ofType { name } } } }
        inputFields { name type { name ofType { name } } } } }
    }`);
    const type = (name: string) => schema.types.find((t: { name: string }) => t.name === name);
    const fieldType = (typeName: string, name: string) => {
      const field = type(typeName).fields.find((f: { name: string }) => f.name === name);
      return field.type.name ?? field.type.ofType.name;
    };
    for (const [typeName, field, enumName, table, column] of [
      ["Action", "status", "ActionStatus", "action_statuses", "status"],
      ["Action", "waitKind", "WaitKind", "wait_kinds", "wait_kind"],
      ["ExecutionLog", "mode", "ExecutionMode", "execution_modes", "mode"],
      ["ActionType", "mode", "ActionTypeMode", "action_type_modes", "mode"],
      ["Notification", "severity", "Severity", "notification_severities", "severity"],
    ] as const) {
      expect(fieldType(typeName, field), `${typeName}.${field}`).toBe(enumName);
      const { rows } = await db.pool.query(
        `select ${column} as name, description from autoexec.${table} order by ${column}`,
      );
      const values = [...type(enumName).enumValues].sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(values, enumName).toEqual(rows);
    }
    // The tiers: an enum of autoexec.execution_tiers' rows, TIER_<number>, wherever a tier appears.
    const { rows: tiers } = await db.pool.query(
      "select 'TIER_' || tier as name, description from autoexec.execution_tiers order by tier",
    );
    expect(type("Tier").enumValues, "Tier").toEqual(tiers);
    for (const [typeName, field, enumName] of [
      ["ActionType", "tier", "Tier"],
      ["Action", "executionTier", "Tier"],
      ["ExecutionLog", "executionTier", "Tier"],
      ["DailyExecution", "executionTier", "Tier"],
      ["DailyExecution", "mode", "ExecutionMode"],
    ] as const) {
      expect(fieldType(typeName, field), `${typeName}.${field}`).toBe(enumName);
    }
    // Every argument and input field that takes a vocabulary takes its enum.
    const inputType = (typeName: string, fieldName: string, argName: string) => {
      const owner = type(typeName);
      const spec = fieldName
        ? owner.fields.find((f: { name: string }) => f.name === fieldName).args
        : owner.inputFields;
      const arg = spec.find((a: { name: string }) => a.name === argName);
      return arg.type.name ?? arg.type.ofType.name;
    };
    for (const [typeName, fieldName, argName, enumName] of [
      ["Query", "searchActionsList", "status", "ActionStatus"],
      ["Query", "searchActionsList", "tier", "Tier"],
      ["Query", "countActions", "status", "ActionStatus"],
      ["Query", "countActions", "tier", "Tier"],
      ["Query", "matchingActionIds", "status", "ActionStatus"],
      ["Query", "matchingActionIds", "tier", "Tier"],
      ["Query", "countExecutionLogs", "mode", "ExecutionMode"],
      ["Query", "countExecutionLogs", "executedByKind", "ExecutedByKind"],
      ["SetActionTypeModeInput", "", "mode", "ActionTypeMode"],
      ["ActionCondition", "", "executionTier", "Tier"],
      ["ActionTypeCondition", "", "tier", "Tier"],
      ["ExecutionLogCondition", "", "executedByKind", "ExecutedByKind"],
    ] as const) {
      expect(inputType(typeName, fieldName, argName), `${typeName}.${fieldName}(${argName})`).toBe(enumName);
    }
    expect(
      (await data("{ allActionTypes(condition: {tier: TIER_2}) { nodes { tier } } }")).allActionTypes
        .nodes[0],
    ).toEqual({ tier: "TIER_2" });
    expect(await graphqlError("{ countActions(tier: TIER_4) }")).toMatch(/TIER_4/);
    // The enum tables themselves are not part of the API.
    expect(schema.types.map((t: { name: string }) => t.name)).not.toContain("ActionStatusesConnection");
    // A value outside the vocabulary is a validation error, before any SQL runs.
    expect(await graphqlError("{ allActions(condition: {status: DONE}) { totalCount } }")).toMatch(
      /ActionStatus.*DONE|DONE.*ActionStatus/,
    );
    expect(
      (await data("{ allExecutionLogs(condition: {mode: dry_run}) { nodes { mode } } }")).allExecutionLogs
        .nodes,
    ).toEqual([{ mode: "dry_run" }]);
  });

  it("documents the API with the tables' and functions' comments", async () => {
    const { __schema: schema } = await introspect();
    const type = (name: string) => schema.types.find((t: { name: string }) => t.name === name);
    const field = (typeName: string, name: string) =>
      type(typeName).fields.find((f: { name: string }) => f.name === name).description;
    const { rows } = await db.pool.query<{ table: string; column: string }>(`
      select obj_description('autoexec.actions'::regclass) as table,
        col_description('autoexec.actions'::regclass,
          (select attnum from pg_attribute where attrelid = 'autoexec.actions'::regclass and attname = 'status')) as column`);
    // The smart tags (lines starting with @) are PostGraphile's; the rest is what the docs show.
    expect(type("Action").description).toBe(rows[0]?.table.replace(/^(@.*\n)+/, ""));
    expect(field("Action", "status")).toBe(rows[0]?.column);
    const approve = schema.mutationType.fields.find((f: { name: string }) => f.name === "approveAction");
    expect(approve.description).toMatch(/^Approves a pending action \(admins only\)/);
    expect(field("Setting", "hourlyLimit")).toMatch(/per rolling hour/);
  });
});

describe("errors", () => {
  it("masks database errors that are not meant for people: a reference, no SQL", async () => {
    // Break something for real: a trigger that divides by zero whenever a notification is marked read.
    await db.pool.query(`
      create function autoexec_private.tg_broken() returns trigger language plpgsql as
        $$ begin perform 1 / 0; return new; end $$;
      create trigger _999_broken before update on autoexec.notifications
        for each row execute function autoexec_private.tg_broken();`);
    try {
      const { rows } = await db.pool.query<{ id: number }>(
        "insert into autoexec.notifications (kind, severity, message) values ('t', 'info', 'x') returning id",
      );
      const { status, body } = await api.graphql(
        "mutation ($ids: [BigInt]) { markNotificationsRead(input: {notificationIds: $ids}) { result { id } } }",
        { ids: [String(rows[0]?.id)] },
      );
      expect(status).toBe(200);
      const text = JSON.stringify(body);
      expect(body.errors?.[0]?.message).toMatch(/^internal error \(reference [0-9a-f]{8}\)/);
      expect(body.errors).toHaveLength(1);
      expect(text).not.toMatch(/division|zero|tg_broken|pl\/pgsql|update |stack|\.ts:/i);
    } finally {
      await db.pool.query(
        "drop trigger _999_broken on autoexec.notifications; drop function autoexec_private.tg_broken()",
      );
    }
  });

  it("an engine code keeps its message, with the code; any other raise is masked", async () => {
    const markRead = async () => {
      const { rows } = await db.pool.query<{ id: number }>(
        "insert into autoexec.notifications (kind, severity, message) values ('t', 'info', 'x') returning id",
      );
      return api.graphql(
        "mutation ($ids: [BigInt]) { markNotificationsRead(input: {notificationIds: $ids}) { result { id } } }",
        { ids: [String(rows[0]?.id)] },
      );
    };
    for (const [code, shown] of [
      ["AE005", true],
      ["AE001", true],
      ["P0001", false],
      ["55000", false],
    ] as const) {
      await db.pool.query(`
        create function autoexec_private.tg_broken() returns trigger language plpgsql as
          $$ begin raise exception 'detail of tg_broken' using errcode = '${code}'; end $$;
        create trigger _999_broken before update on autoexec.notifications
          for each row execute function autoexec_private.tg_broken();`);
      try {
        const { body } = await markRead();
        expect({ code, errors: body.errors }).toEqual({
          code,
          errors: [
            shown
              ? expect.objectContaining({ message: "detail of tg_broken", extensions: { code } })
              : expect.objectContaining({
                  message: expect.stringMatching(/^internal error \(reference [0-9a-f]{8}\)/),
                }),
          ],
        });
        if (!shown) expect(JSON.stringify(body)).not.toMatch(/tg_broken/);
      } finally {
        await db.pool.query(
          "drop trigger _999_broken on autoexec.notifications; drop function autoexec_private.tg_broken()",
        );
      }
    }
  });

  it("answers GraphQL syntax and validation errors with their message", async () => {
    const { status, body } = await api.graphql("{ allActions { nodes { noSuchField } } }");
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "noSuchField"/);
    const syntax = await api.graphql("{ allActions { ");
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });
});
