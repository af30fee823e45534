import { describe, expect, it } from "vitest";
import { executeAction, RetryableExecutionError } from "../src/engine/executor.ts";
import { type RollbackOutcome, type RollbackRequest, rollbackExecution } from "../src/engine/rollback.ts";
import { EngineBusyError } from "../src/engine/timeouts.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler, Json } from "../src/handlers/types.ts";
import { databaseForTests } from "./support/db.ts";
import {
  amazonLink,
  goLiveUnguarded,
  insertAction,
  insertCollection,
  insertCollectionMod,
  insertMod,
} from "./support/fixtures.ts";
import { waitFor } from "./support/wait.ts";

const db = databaseForTests({ setup: (db) => goLiveUnguarded(db.pool) });

type Data = Record<string, unknown>;
type Row = Record<string, Json>;

const ACTOR = "alice";
const REASON = "the partner programme ended";
const MISSING_LOG = 987_654_321;

// ---------------------------------------------------------------------------------------------------
// Reading state. Rows go through to_jsonb so timestamps compare to the microsecond.

const CONTENT_TABLES = {
  mods: "content.mods t order by t.id",
  collections: "content.collections t order by t.id",
  collectionMods: "content.collection_mods t order by t.collection_id, t.mod_id",
  suggestions: "content.internal_link_suggestions t order by t.id",
  adSlots: "content.ad_slots t order by t.id",
};
type Snapshot = Record<keyof typeof CONTENT_TABLES, Row[]>;

async function jsonRows(from: string): Promise<Row[]> {
  return (await db.pool.query<{ row: Row }>(`select to_jsonb(t) as row from ${from}`)).rows.map((r) => r.row);
}

/** Every row of every content table. */
async function contentSnapshot(): Promise<Snapshot> {
  const entries = Object.entries(CONTENT_TABLES).map(async ([name, from]) => [name, await jsonRows(from)]);
  return Object.fromEntries(await Promise.all(entries));
}

/**
 * Any UPDATE of a mod moves its updated_at; that is all a rollback may leave different. Its
 * externally_modified_at must not move: a rollback is the engine's own change, not an outside edit.
 */
function ignoringUpdatedAt(snapshot: Snapshot): Snapshot {
  return { ...snapshot, mods: snapshot.mods.map(({ updated_at: _updatedAt, ...mod }) => mod) };
}

/** Everything a refused rollback must leave alone: content, execution logs, actions, audit trail. */
async function everything() {
  return {
    content: await contentSnapshot(),
    logs: await jsonRows("autoexec.execution_logs t order by t.id"),
    actions: await jsonRows("autoexec.actions t order by t.id"),
    audit: await jsonRows("autoexec.audit_events t order by t.id"),
  };
}

// ---------------------------------------------------------------------------------------------------
// Executing and rolling back through the engine.

interface Executed {
  actionId: number;
  logId: number;
  data: Data;
  rollbackData: Record<string, Json>;
}

/**
 * Proposes an action the way the agent does, approves it when its tier needs an admin, and runs it
 * through the executor; asserts a live execution.
 */
async function execute(type: string, data: Data): Promise<Executed> {
  const actionId = await insertAction(db.pool, { type, data });
  if (handlers.get(type)?.tier === 2) {
    await db.pool.query("select autoexec.approve_action($1, 'reads well')", [actionId]);
  }
  const outcome = await executeAction({ pool: db.pool, handlers, log: db.log }, actionId);
  expect(outcome).toEqual({
    outcome: "executed",
    mode: "live",
    executionLogId: expect.any(Number),
    timeToExecute: { tier: expect.any(Number), seconds: expect.any(Number) },
  });
  const logId = (outcome as { executionLogId: number }).executionLogId;
  const { rows } = await db.pool.query("select rollback_data from autoexec.execution_logs where id = $1", [
    logId,
  ]);
  return { actionId, logId, data, rollbackData: rows[0].rollback_data };
}

type RollbackOptions = Partial<Omit<RollbackRequest, "executionLogId">>;

/** Rolls back through the one function every path uses, as ACTOR for REASON unless told otherwise. */
function rollBack(executionLogId: number, request: RollbackOptions = {}): Promise<RollbackOutcome> {
  return rollbackExecution(
    { pool: db.pool, handlers, log: db.log },
    { executionLogId, reason: REASON, actor: ACTOR, ...request },
  );
}

/** Asserts the rollback is refused with `refusal` and leaves everything exactly as it was. */
async function expectRefused(
  executionLogId: number,
  refusal: RollbackOutcome,
  request: RollbackOptions = {},
): Promise<void> {
  const before = await everything();
  expect(await rollBack(executionLogId, request)).toEqual(refusal);
  expect(await everything()).toEqual(before);
}

/** The log says when, by whom and why; the action is ROLLED_BACK saying who and why; the audit agrees. */
async function expectMarkedRolledBack(
  { actionId, logId }: Executed,
  { actor = ACTOR, reason = REASON, conflicts = [] as string[] } = {},
): Promise<void> {
  const forced = conflicts.length > 0;
  const { rows: logs } = await db.pool.query(
    `select rolled_back_by, rollback_reason, rollback_forced,
       rolled_back_at between executed_at and now() as rolled_back_after_execution
     from autoexec.execution_logs where id = $1`,
    [logId],
  );
  expect(logs).toEqual([
    {
      rolled_back_by: actor,
      rollback_reason: reason,
      rollback_forced: forced,
      rolled_back_after_execution: true,
    },
  ]);
  const { rows: actions } = await db.pool.query(
    "select status, status_reason from autoexec.actions where id = $1",
    [actionId],
  );
  expect(actions).toEqual([{ status: "ROLLED_BACK", status_reason: `rolled back by ${actor}: ${reason}` }]);
  const { rows: audit } = await db.pool.query(
    `select actor, subject_type, old_values, new_values, note from autoexec.audit_events
     where action = 'execution.rolled_back' and subject_id = $1`,
    [String(actionId)],
  );
  expect(audit).toEqual([
    {
      actor,
      subject_type: "action",
      old_values: { status: "EXECUTED" },
      new_values: { status: "ROLLED_BACK", executionLogId: logId, forced, ...(forced ? { conflicts } : {}) },
      note: reason,
    },
  ]);
}

async function rolledBackAt(logId: number): Promise<string> {
  const { rows } = await db.pool.query("select rolled_back_at from autoexec.execution_logs where id = $1", [
    logId,
  ]);
  return (rows[0].rolled_back_at as Date).toISOString();
}

// ---------------------------------------------------------------------------------------------------
// One case per handler: what it executes, how an editor then changes that content, the conflicts
// this causes, and what a forced rollback must leave.

interface HandlerCase {
  type: string;
  /** Seeds the content the action works on; returns its action data. */
  propose(): Promise<Data>;
  /** Changes what the execution left, the way an editor would. */
  edit(executed: Executed): Promise<void>;
  /** What the rollback reports as changed after `edit`. */
  conflicts(executed: Executed): string[] | Promise<string[]>;
  /**
   * The content after a forced rollback: the edited content without what the execution added; null
   * when the edit replaced everything the execution did, so a forced rollback is refused.
   */
  forcedResult(edited: Snapshot, executed: Executed): Snapshot | null;
}

const modIdOf = (executed: Executed) => executed.data.modId as number;
const suggestionIds = (executed: Executed) => executed.rollbackData.suggestionIds as number[];
/** The suggestion the editor places. */
const placedSuggestion = (executed: Executed) => suggestionIds(executed)[0] as number;

/** The snapshot with one mod's fields replaced. */
function withMod(snapshot: Snapshot, modId: number, fields: Row): Snapshot {
  return { ...snapshot, mods: snapshot.mods.map((mod) => (mod.id === modId ? { ...mod, ...fields } : mod)) };
}

/** The snapshot without the rows of `table` that `drop` picks. */
function without(snapshot: Snapshot, table: keyof Snapshot, drop: (row: Row) => boolean): Snapshot {
  return { ...snapshot, [table]: snapshot[table].filter((row) => !drop(row)) };
}

const editorsLink = { url: "https://www.patreon.com/somecreator", type: "patreon", addedBy: "editor" };
const laterLink = { url: "https://www.patreon.com/other", type: "patreon" };

const cases: HandlerCase[] = [
  {
    type: "ADD_AFFILIATE_LINK",
    propose: async () => amazonLink(await insertMod(db.pool, { affiliateLinks: [editorsLink] })),
    edit: async (executed) => {
      await db.pool.query(
        "update content.mods set affiliate_links = affiliate_links || jsonb_build_array($2::jsonb) where id = $1",
        [modIdOf(executed), laterLink],
      );
    },
    conflicts: (executed) => [
      `affiliate_links of mod ${modIdOf(executed)} changed since the execution: added {"url":"https://www.patreon.com/other","type":"patreon"}`,
    ],
    forcedResult: (edited, executed) =>
      withMod(edited, modIdOf(executed), { affiliate_links: [editorsLink, laterLink] }),
  },
  {
    type: "UPDATE_META_DESCRIPTION",
    propose: async () => ({
      modId: await insertMod(db.pool, { metaDescription: "Old description." }),
      metaDescription: "Written by the engine.",
    }),
    edit: async (executed) => {
      await db.pool.query(
        "update content.mods set meta_description = 'Rewritten by an editor.' where id = $1",
        [modIdOf(executed)],
      );
    },
    conflicts: (executed) => [
      `meta_description of mod ${modIdOf(executed)} changed since the execution: it was "Written by the engine.", it is now "Rewritten by an editor."`,
    ],
    // Nothing of the execution is left: the editor's text replaced it, and stays. A forced rollback
    // would change nothing, so it must not report success (it did, and marked the action ROLLED_BACK).
    forcedResult: () => null,
  },
  {
    type: "ADD_TO_COLLECTION",
    async propose() {
      const collectionId = await insertCollection(db.pool);
      await insertCollectionMod(db.pool, collectionId, await insertMod(db.pool), 0);
      await insertCollectionMod(db.pool, collectionId, await insertMod(db.pool), 1);
      return { modId: await insertMod(db.pool), collectionId };
    },
    // The editor moves the added mod to the top, and the mod that was there to the bottom.
    edit: async (executed) => {
      await db.pool.query(
        "update content.collection_mods set position = case when mod_id = $2 then 0 else 2 end where collection_id = $1 and position in (0, 2)",
        [executed.data.collectionId, modIdOf(executed)],
      );
    },
    conflicts: (executed) => [
      `mod ${modIdOf(executed)} moved from position 2 to 0 in collection ${executed.data.collectionId}`,
    ],
    forcedResult: (edited, executed) =>
      without(
        edited,
        "collectionMods",
        (row) => row.collection_id === executed.data.collectionId && row.mod_id === modIdOf(executed),
      ),
  },
  {
    type: "GENERATE_INTERNAL_LINK_SUGGESTIONS",
    async propose() {
      // Sharing a collection is what makes these two mods, and only these, the suggestions.
      const collectionId = await insertCollection(db.pool);
      const [source, near, far] = [
        await insertMod(db.pool),
        await insertMod(db.pool),
        await insertMod(db.pool),
      ];
      for (const modId of [source, near, far]) await insertCollectionMod(db.pool, collectionId, modId);
      return { modId: source, maxSuggestions: 2 };
    },
    edit: async (executed) => {
      await db.pool.query("update content.internal_link_suggestions set status = 'placed' where id = $1", [
        placedSuggestion(executed),
      ]);
    },
    async conflicts(executed) {
      const { rows } = await db.pool.query(
        "select target_mod_id from content.internal_link_suggestions where id = $1",
        [placedSuggestion(executed)],
      );
      return [`suggestion ${placedSuggestion(executed)} (to mod ${rows[0].target_mod_id}) is now placed`];
    },
    // The placed link is the editor's work and stays; the other suggestion is withdrawn.
    forcedResult: (edited, executed) =>
      without(
        edited,
        "suggestions",
        (row) => row.id !== placedSuggestion(executed) && suggestionIds(executed).includes(row.id as number),
      ),
  },
  {
    type: "EXPAND_CONTENT",
    propose: async () => ({
      modId: await insertMod(db.pool, { body: "Original body." }),
      content: "More words.",
    }),
    edit: async (executed) => {
      await db.pool.query(
        "update content.mods set body = 'Edited intro. ' || body || E'\\n\\nEditor''s outro.' where id = $1",
        [modIdOf(executed)],
      );
    },
    conflicts: (executed) => [
      `body of mod ${modIdOf(executed)} changed since the execution: it was ${JSON.stringify(
        "Original body.\n\nMore words.",
      )}, it is now ${JSON.stringify("Edited intro. Original body.\n\nMore words.\n\nEditor's outro.")}`,
    ],
    forcedResult: (edited, executed) =>
      withMod(edited, modIdOf(executed), { body: "Edited intro. Original body.\n\nEditor's outro." }),
  },
  {
    type: "ADD_AD_SLOT",
    propose: async () => ({
      modId: await insertMod(db.pool),
      position: "sidebar_top",
      format: "leaderboard",
    }),
    edit: async (executed) => {
      await db.pool.query("update content.ad_slots set format = 'skyscraper' where id = $1", [
        executed.rollbackData.adSlotId,
      ]);
    },
    conflicts: (executed) => [
      `ad slot ${executed.rollbackData.adSlotId} changed since the execution: now sidebar_top/skyscraper, was sidebar_top/leaderboard`,
    ],
    // The slot is the execution's own: it goes, with the editor's change to it.
    forcedResult: (edited, executed) =>
      without(edited, "adSlots", (row) => row.id === executed.rollbackData.adSlotId),
  },
  {
    type: "CREATE_COLLECTION_PAGE",
    propose: async () => ({
      slug: `farming-${Math.random().toString(36).slice(2, 10)}`,
      title: "Farming Essentials",
      description: "Everything for a farm.",
      modIds: [await insertMod(db.pool), await insertMod(db.pool)],
    }),
    edit: async (executed) => {
      await db.pool.query("update content.collections set title = 'Farm Life Essentials' where id = $1", [
        executed.rollbackData.collectionId,
      ]);
    },
    conflicts: (executed) => [
      `title of collection ${executed.rollbackData.collectionId} changed since it was created: it was "Farming Essentials", it is now "Farm Life Essentials"`,
    ],
    // The page is the execution's own: it goes, with the editor's change to it.
    forcedResult: (edited, executed) => {
      const { collectionId } = executed.rollbackData;
      const withoutPage = without(edited, "collections", (row) => row.id === collectionId);
      return without(withoutPage, "collectionMods", (row) => row.collection_id === collectionId);
    },
  },
];

it("covers every handler", () => {
  expect(cases.map((c) => c.type).sort()).toEqual([...handlers.keys()].sort());
});

// ---------------------------------------------------------------------------------------------------

describe.each(cases)("$type", (handlerCase) => {
  const { type } = handlerCase;

  it("rolls back to the exact prior content, records who and why, and refuses a second time", async () => {
    const data = await handlerCase.propose();
    const before = await contentSnapshot();
    const executed = await execute(type, data);
    expect(await contentSnapshot()).not.toEqual(before);

    expect(await rollBack(executed.logId)).toEqual({
      success: true,
      executionLogId: executed.logId,
      actionId: executed.actionId,
      forced: false,
      conflicts: [],
    });
    expect(ignoringUpdatedAt(await contentSnapshot())).toEqual(ignoringUpdatedAt(before));
    await expectMarkedRolledBack(executed);

    await expectRefused(
      executed.logId,
      {
        success: false,
        code: "not_rollbackable",
        error: `execution ${executed.logId} was already rolled back at ${await rolledBackAt(executed.logId)} by ${ACTOR} (${REASON})`,
      },
      { actor: "bob", reason: "once more", force: true },
    );
  });

  it("refuses when an editor changed the content since, saying what differs; force undoes only the execution's part", async () => {
    const executed = await execute(type, await handlerCase.propose());
    await handlerCase.edit(executed);
    const edited = await contentSnapshot();
    const conflicts = await handlerCase.conflicts(executed);

    await expectRefused(executed.logId, {
      success: false,
      code: "conflict",
      error: `the content changed since execution ${executed.logId}; roll back with force to undo only what it added`,
      conflicts,
    });

    const forcedResult = handlerCase.forcedResult(edited, executed);
    if (!forcedResult) {
      await expectRefused(
        executed.logId,
        {
          success: false,
          code: "nothing_to_undo",
          error: `rolling back execution ${executed.logId} would change nothing: the content it changed has been replaced since`,
          conflicts,
        },
        { force: true },
      );
      return;
    }
    expect(await rollBack(executed.logId, { force: true })).toEqual({
      success: true,
      executionLogId: executed.logId,
      actionId: executed.actionId,
      forced: true,
      conflicts,
    });
    expect(ignoringUpdatedAt(await contentSnapshot())).toEqual(ignoringUpdatedAt(forcedResult));
    await expectMarkedRolledBack(executed, { conflicts });
  });
});

// ---------------------------------------------------------------------------------------------------

describe("refusals", () => {
  it("an execution that failed", async () => {
    const real = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
    const failing: ActionHandler = {
      ...real,
      async execute() {
        throw new Error("the site's API timed out");
      },
    };
    const actionId = await insertAction(db.pool, { data: amazonLink(await insertMod(db.pool)) });
    await expect(
      executeAction(
        { pool: db.pool, handlers: new Map([...handlers, [real.type, failing]]), log: db.log },
        actionId,
      ),
    ).rejects.toThrow(RetryableExecutionError);
    const { rows } = await db.pool.query(
      "select id from autoexec.execution_logs where action_id = $1 and not success",
      [actionId],
    );
    expect(rows).toHaveLength(1);
    const logId = rows[0].id as number;

    await expectRefused(logId, {
      success: false,
      code: "not_rollbackable",
      error: `execution ${logId} failed, so it changed nothing to roll back`,
    });
  });

  it("a dry run", async () => {
    const before = await contentSnapshot();
    await db.pool.query(
      "update autoexec.action_types set mode = 'dry_run' where type = 'UPDATE_META_DESCRIPTION'",
    );
    const actionId = await insertAction(db.pool, {
      type: "UPDATE_META_DESCRIPTION",
      data: { modId: await insertMod(db.pool), metaDescription: "Only imagined." },
    });
    const outcome = await executeAction({ pool: db.pool, handlers, log: db.log }, actionId).finally(() =>
      db.pool.query("update autoexec.action_types set mode = 'live' where type = 'UPDATE_META_DESCRIPTION'"),
    );
    expect(outcome).toEqual({
      outcome: "executed",
      mode: "dry_run",
      executionLogId: expect.any(Number),
      timeToExecute: null,
    });
    const logId = (outcome as { executionLogId: number }).executionLogId;
    expect((await contentSnapshot()).mods).toHaveLength(before.mods.length + 1);

    await expectRefused(logId, {
      success: false,
      code: "not_rollbackable",
      error: `execution ${logId} was a dry run and changed nothing`,
    });
  });

  it("an execution whose rollback data was purged after the retention period", async () => {
    const { logId } = await execute("ADD_AFFILIATE_LINK", amazonLink(await insertMod(db.pool)));
    // Execution logs are append-only; only replication mode (no triggers) can move executed_at back.
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local session_replication_role = replica");
      await client.query(
        `update autoexec.execution_logs
         set executed_at = now() - (select rollback_retention from autoexec.settings) - interval '1 day'
         where id = $1`,
        [logId],
      );
      await client.query("commit");
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query("select autoexec_private.purge_rollback_data() as purged");
    expect(rows[0].purged).toBe(1);
    const { rows: logs } = await db.pool.query(
      "select rollback_data, rollback_data_purged_at from autoexec.execution_logs where id = $1",
      [logId],
    );
    expect(logs).toEqual([{ rollback_data: null, rollback_data_purged_at: expect.any(Date) }]);
    const purgedOn = (logs[0].rollback_data_purged_at as Date).toISOString();

    await expectRefused(logId, {
      success: false,
      code: "not_rollbackable",
      error: `the rollback data of execution ${logId} was purged on ${purgedOn} (older than the retention period); it can no longer be rolled back`,
    });
  });

  it("an execution that does not exist", async () => {
    await expectRefused(MISSING_LOG, {
      success: false,
      code: "not_found",
      error: `execution ${MISSING_LOG} not found`,
    });
  });

  it.each([
    ["an empty", ""],
    ["a blank", " \t "],
  ])("%s reason", async (_what, reason) => {
    const { logId } = await execute("ADD_AFFILIATE_LINK", amazonLink(await insertMod(db.pool)));
    await expectRefused(
      logId,
      { success: false, code: "bad_request", error: "a reason is required to roll back" },
      { reason },
    );
  });
});

describe("concurrency", () => {
  it("two rollbacks of the same execution at once: exactly one succeeds", async () => {
    const modId = await insertMod(db.pool, { affiliateLinks: [editorsLink] });
    const before = await contentSnapshot();
    const executed = await execute("ADD_AFFILIATE_LINK", amazonLink(modId));

    // Hold the log row until both rollbacks are waiting for it, so they really run at the same time.
    const blocker = await db.pool.connect();
    let attempts: Promise<RollbackOutcome>[] = [];
    try {
      await blocker.query("begin");
      await blocker.query("select from autoexec.execution_logs where id = $1 for update", [executed.logId]);
      attempts = ["alice", "bob"].map((actor) => rollBack(executed.logId, { actor }));
      await waitFor(
        async () => {
          const { rows } = await db.pool.query(
            `select count(*)::int as waiting from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and query like '%autoexec_private.start_rollback(%'`,
          );
          return rows[0].waiting === 2;
        },
        10_000,
        { what: "both rollbacks to wait for the log row" },
      );
    } finally {
      await blocker.query("commit");
      blocker.release();
    }
    const results = await Promise.all(attempts);

    const winner = results.findIndex((result) => result.success);
    expect(results.filter((result) => result.success)).toEqual([
      {
        success: true,
        executionLogId: executed.logId,
        actionId: executed.actionId,
        forced: false,
        conflicts: [],
      },
    ]);
    const actor = ["alice", "bob"][winner] as string;
    expect(results.filter((result) => !result.success)).toEqual([
      {
        success: false,
        code: "not_rollbackable",
        error: `execution ${executed.logId} was already rolled back at ${await rolledBackAt(executed.logId)} by ${actor} (${REASON})`,
      },
    ]);
    expect(ignoringUpdatedAt(await contentSnapshot())).toEqual(ignoringUpdatedAt(before));
    await expectMarkedRolledBack(executed, { actor });
  });
});

describe("CREATE_COLLECTION_PAGE after an editor added to the page", () => {
  it("a forced rollback removes only the mods it created the page with; the page stays with the editor's mod", async () => {
    const data = {
      slug: `farming-${Math.random().toString(36).slice(2, 10)}`,
      title: "Farming Essentials",
      description: "Everything for a farm.",
      modIds: [await insertMod(db.pool), await insertMod(db.pool)],
    };
    const executed = await execute("CREATE_COLLECTION_PAGE", data);
    const collectionId = executed.rollbackData.collectionId as number;
    const editorsMod = await insertMod(db.pool);
    await insertCollectionMod(db.pool, collectionId, editorsMod, 2);
    const edited = await contentSnapshot();

    const outcome = await rollBack(executed.logId, { force: true });
    expect(outcome).toEqual({
      success: true,
      executionLogId: executed.logId,
      actionId: executed.actionId,
      forced: true,
      conflicts: [`mods of collection ${collectionId} changed since it was created: added [${editorsMod},2]`],
    });
    // Before the fix the whole page went, the editor's addition with it.
    expect(ignoringUpdatedAt(await contentSnapshot())).toEqual(
      ignoringUpdatedAt(
        without(
          edited,
          "collectionMods",
          (row) => row.collection_id === collectionId && data.modIds.includes(row.mod_id as number),
        ),
      ),
    );
  });
});

describe("ADD_AFFILIATE_LINK after an editor placed the same link elsewhere", () => {
  it("a forced rollback removes only the link the execution added; the editor's copy stays", async () => {
    const data = amazonLink(await insertMod(db.pool));
    const executed = await execute("ADD_AFFILIATE_LINK", data);
    const url = (executed.rollbackData as { url: string }).url;
    const editorsCopy = { url, type: "amazon", position: "footer", addedBy: "editor" };
    await db.pool.query(
      "update content.mods set affiliate_links = affiliate_links || jsonb_build_array($2::jsonb) where id = $1",
      [data.modId, JSON.stringify(editorsCopy)],
    );

    expect(await rollBack(executed.logId, { force: true })).toMatchObject({ success: true, forced: true });
    const { rows } = await db.pool.query("select affiliate_links from content.mods where id = $1", [
      data.modId,
    ]);
    expect(rows[0].affiliate_links).toEqual([editorsCopy]);
  });
});

describe("EXPAND_CONTENT after an editor wrote the added text again above it", () => {
  it("a forced rollback cuts out the execution's paragraph at the end, not the editor's earlier one", async () => {
    const modId = await insertMod(db.pool, { body: "Original body." });
    const executed = await execute("EXPAND_CONTENT", { modId, content: "Install it first." });
    const edited = "Summary.\n\nInstall it first. Then enable it.\n\nOriginal body.\n\nInstall it first.";
    await db.pool.query("update content.mods set body = $2 where id = $1", [modId, edited]);

    expect(await rollBack(executed.logId, { force: true })).toMatchObject({ success: true, forced: true });
    const { rows } = await db.pool.query("select body from content.mods where id = $1", [modId]);
    expect(rows[0].body).toBe("Summary.\n\nInstall it first. Then enable it.\n\nOriginal body.");
  });
});

describe("start_rollback, the opening every rollback shares", () => {
  const start = (logId: number) =>
    db.pool.query("select * from autoexec_private.start_rollback($1)", [logId]).then((result) => result.rows);

  it("keeps the rules in the database: what cannot be rolled back is refused with an AE code", async () => {
    await expect(start(MISSING_LOG)).rejects.toMatchObject({
      code: "AE004",
      message: `execution ${MISSING_LOG} not found`,
    });
    const executed = await execute("ADD_AFFILIATE_LINK", amazonLink(await insertMod(db.pool)));
    expect(await start(executed.logId)).toEqual([
      {
        action_id: executed.actionId,
        action_type: "ADD_AFFILIATE_LINK",
        input_data: expect.any(Object),
        rollback_data: executed.rollbackData,
      },
    ]);
    expect(await rollBack(executed.logId)).toMatchObject({ success: true });
    await expect(start(executed.logId)).rejects.toMatchObject({
      code: "AE005",
      message: expect.stringMatching(/^execution \d+ was already rolled back at /),
    });
  });

  it("gives up waiting for a lock after the engine's lock timeout, changing nothing", async () => {
    const executed = await execute("ADD_AFFILIATE_LINK", amazonLink(await insertMod(db.pool)));
    const before = await everything();
    const blocker = await db.pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("select from autoexec.execution_logs where id = $1 for update", [executed.logId]);
      await expect(
        rollbackExecution(
          {
            pool: db.pool,
            handlers,
            log: db.log,
            timeouts: { lockTimeoutMs: 100, statementTimeoutMs: 5_000 },
          },
          { executionLogId: executed.logId, reason: REASON, actor: ACTOR },
        ),
      ).rejects.toBeInstanceOf(EngineBusyError);
    } finally {
      await blocker.query("rollback");
      blocker.release();
    }
    expect(await everything()).toEqual(before);
  });
});
