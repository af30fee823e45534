import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPool, withTransaction } from "../src/db/pool.ts";
import { executeAction, RetryableExecutionError } from "../src/engine/executor.ts";
import { handlerContext } from "../src/handlers/content.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler, Json } from "../src/handlers/types.ts";
import { databaseForTests } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  goLiveUnguarded,
  insertAction,
  insertCollection,
  insertCollectionMod,
  insertMod,
  minutesAgo,
} from "./support/fixtures.ts";

const db = databaseForTests({ setup: (db) => goLiveUnguarded(db.pool) });

type Data = Record<string, unknown>;
type Row = Record<string, Json>;
type Queryable = Pick<pg.ClientBase, "query">;
type Registry = ReadonlyMap<string, ActionHandler>;

const MISSING_MOD = 987_654_321;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function handlerFor(type: string): ActionHandler {
  const handler = handlers.get(type);
  if (!handler) throw new Error(`no handler for ${type}`);
  return handler;
}

// ---------------------------------------------------------------------------------------------------
// Reading content. Rows go through to_jsonb so timestamps compare to the microsecond, not the millisecond.

const CONTENT_TABLES = [
  ["mods", "content.mods t order by t.id"],
  ["collections", "content.collections t order by t.id"],
  ["collectionMods", "content.collection_mods t order by t.collection_id, t.position, t.mod_id"],
  ["suggestions", "content.internal_link_suggestions t order by t.id"],
] as const;

type Snapshot = Record<(typeof CONTENT_TABLES)[number][0], Row[]>;

async function jsonRows(sql: string, params: unknown[] = [], q: Queryable = db.pool): Promise<Row[]> {
  return (await q.query<{ row: Row }>(sql, params)).rows.map((r) => r.row);
}

/** Every row of every content table: what "no content change" is measured against. */
async function contentSnapshot(q: Queryable = db.pool): Promise<Snapshot> {
  const snapshot: Partial<Snapshot> = {};
  for (const [name, from] of CONTENT_TABLES) {
    snapshot[name] = await jsonRows(`select to_jsonb(t) as row from ${from}`, [], q);
  }
  return snapshot as Snapshot;
}

/**
 * A snapshot without the stamps that any UPDATE of a mod moves. A rollback runs outside the engine's
 * execution, so it counts as an outside edit; the content itself must be exactly as before.
 */
function withoutChangeStamps(snapshot: Snapshot): Snapshot {
  const mods = snapshot.mods.map(
    ({ updated_at: _updated, externally_modified_at: _external, ...mod }) => mod,
  );
  return { ...snapshot, mods };
}

async function getMod(id: number): Promise<Row> {
  const [mod] = await jsonRows("select to_jsonb(t) as row from content.mods t where id = $1", [id]);
  if (!mod) throw new Error(`no mod ${id}`);
  return mod;
}

/** A mod's change stamps in microseconds since the epoch. */
async function stampsOf(modId: number): Promise<{ updated: number; external: number }> {
  const { rows } = await db.pool.query(
    `select (extract(epoch from updated_at) * 1e6)::bigint as updated,
            (extract(epoch from externally_modified_at) * 1e6)::bigint as external
     from content.mods where id = $1`,
    [modId],
  );
  return rows[0];
}

async function membersOf(collectionId: number): Promise<Row[]> {
  return jsonRows(
    "select to_jsonb(t) as row from content.collection_mods t where collection_id = $1 order by position, mod_id",
    [collectionId],
  );
}

// ---------------------------------------------------------------------------------------------------
// Running actions through the real executor.

interface ExecutionLog {
  mode: string;
  executed_by: string;
  attempt: number;
  success: boolean;
  error_message: string | null;
  input_data: Json;
  output_data: Json;
  rollback_data: Record<string, Json>;
  executed_at: Date;
}

async function logsOf(actionId: number): Promise<ExecutionLog[]> {
  const { rows } = await db.pool.query<ExecutionLog>(
    `select mode, executed_by, attempt, success, error_message, input_data, output_data, rollback_data, executed_at
     from autoexec.execution_logs where action_id = $1 order by id`,
    [actionId],
  );
  return rows;
}

async function actionRow(actionId: number) {
  const { rows } = await db.pool.query(
    `select status, status_reason, execution_attempts, execution_result, executed_at
     from autoexec.actions where id = $1`,
    [actionId],
  );
  return rows[0];
}

function run(actionId: number, registry: Registry = handlers) {
  return executeAction({ pool: db.pool, handlers: registry, log: db.log }, actionId);
}

/** Proposes an action, runs it once and asserts a successful live execution; returns its log row. */
async function expectExecuted(type: string, data: Data): Promise<{ actionId: number; log: ExecutionLog }> {
  const actionId = await insertAction(db.pool, { type, data });
  expect(await run(actionId)).toEqual({
    outcome: "executed",
    mode: "live",
    executionLogId: expect.any(Number),
    timeToExecute: { tier: expect.any(Number), seconds: expect.any(Number) },
  });
  const logs = await logsOf(actionId);
  expect(logs).toEqual([
    {
      mode: "live",
      executed_by: "auto",
      attempt: 1,
      success: true,
      error_message: null,
      input_data: data,
      output_data: expect.anything(),
      rollback_data: expect.anything(),
      executed_at: expect.any(Date),
    },
  ]);
  const log = logs[0] as ExecutionLog;
  expect(await actionRow(actionId)).toEqual({
    status: "EXECUTED",
    status_reason: null,
    execution_attempts: 1,
    execution_result: { success: true, output: log.output_data },
    executed_at: log.executed_at,
  });
  return { actionId, log };
}

/** Proposes an action, runs it and asserts it ended INVALID with `reason`, changed nothing and will not retry. */
async function expectInvalid(type: string, data: Data, reason: string): Promise<void> {
  const before = await contentSnapshot();
  const actionId = await insertAction(db.pool, { type, data });
  expect(await run(actionId)).toEqual({ outcome: "invalid", reason });
  expect(await actionRow(actionId)).toEqual({
    status: "INVALID",
    status_reason: reason,
    execution_attempts: 0,
    execution_result: { success: false, error: reason },
    executed_at: null,
  });
  expect(await logsOf(actionId)).toEqual([]);
  expect(await contentSnapshot()).toEqual(before);
  // No retry: another delivery of its job finds a finished action and does nothing.
  expect(await run(actionId)).toEqual({
    outcome: "not_now",
    decision: "skip",
    reason: "action is INVALID",
    retryAt: null,
  });
}

/** Undoes an execution the way an admin's rollback does: the handler's rollback in its own transaction. */
async function rollBack(type: string, actionId: number, log: ExecutionLog): Promise<void> {
  await withTransaction(db.pool, (client) =>
    handlerFor(type).rollback(handlerContext(client, actionId), log.rollback_data),
  );
}

// ---------------------------------------------------------------------------------------------------

describe("ADD_AFFILIATE_LINK", () => {
  const type = "ADD_AFFILIATE_LINK";
  const editorsLink = {
    url: "https://www.patreon.com/somecreator",
    type: "patreon",
    position: "footer",
    addedAt: "2024-01-01T00:00:00.000Z",
    addedBy: "editor",
  };
  // affiliateType is the network of the URL's host (autoexec.affiliate_hosts.network).
  const link = (modId: number, affiliateUrl: string) => ({
    modId,
    affiliateUrl,
    affiliateType: affiliateUrl.includes("patreon.com") ? "patreon" : "amazon",
  });

  it("appends the link in canonical form after the existing ones, and logs how to remove it", async () => {
    const modId = await insertMod(db.pool, { affiliateLinks: [editorsLink] });
    const before = await getMod(modId);
    const { actionId, log } = await expectExecuted(type, {
      ...link(modId, "https://WWW.Amazon.com/dp/B0CLEAN?tag=musthavemods"),
      position: "inline",
    });

    const added = {
      url: "https://www.amazon.com/dp/B0CLEAN?tag=musthavemods",
      type: "amazon",
      position: "inline",
      addedAt: expect.stringMatching(ISO_TIME),
      addedBy: "autoexec",
      actionId,
    };
    const after = await getMod(modId);
    expect(after).toEqual({
      ...before,
      affiliate_links: [editorsLink, added],
      updated_at: expect.any(String),
    });
    const links = after.affiliate_links as Json[];
    expect(log.output_data).toEqual({ modId, addedLink: links[1] });
    expect(log.rollback_data).toEqual({
      modId,
      url: added.url,
      affiliateLinksBefore: [editorsLink],
      affiliateLinksAfter: links,
    });
  });

  it.each([
    ["amazon.com with our tag", "https://amazon.com/dp/B0BARE?tag=musthavemods&th=1", "amazon"],
    ["a Patreon page", "https://www.patreon.com/creator", "patreon"],
    ["a Steam store page", "https://store.steampowered.com/app/1222670/", "steam"],
    ["an EA store page", "https://www.ea.com/games/the-sims/store/sims-4", "ea"],
  ])("accepts %s, placed in the sidebar by default", async (_what, affiliateUrl, affiliateType) => {
    const modId = await insertMod(db.pool);
    await expectExecuted(type, { modId, affiliateUrl, affiliateType });
    expect((await getMod(modId)).affiliate_links).toEqual([
      expect.objectContaining({ url: affiliateUrl, type: affiliateType, position: "sidebar" }),
    ]);
  });

  it("rollback restores the links exactly as they were", async () => {
    const modId = await insertMod(db.pool, { affiliateLinks: [editorsLink] });
    const before = await contentSnapshot();
    const { actionId, log } = await expectExecuted(type, amazonLink(modId));
    await rollBack(type, actionId, log);
    expect(withoutChangeStamps(await contentSnapshot())).toEqual(withoutChangeStamps(before));
    expect((await getMod(modId)).affiliate_links).toEqual([editorsLink]);
  });

  it("rollback removes only its own link, keeping links added since", async () => {
    const modId = await insertMod(db.pool, { affiliateLinks: [editorsLink] });
    const first = await expectExecuted(type, amazonLink(modId, "B0FIRST"));
    const second = await expectExecuted(type, amazonLink(modId, "B0SECOND"));
    const secondLink = (second.log.output_data as { addedLink: Json }).addedLink;
    await rollBack(type, first.actionId, first.log);
    expect((await getMod(modId)).affiliate_links).toEqual([editorsLink, secondLink]);
  });

  it.each([
    ["plain http", "http://www.amazon.com/dp/B0X?tag=musthavemods", "affiliateUrl must use https, not http"],
    [
      "something that is not a URL",
      "www.amazon.com/dp/B0X",
      'affiliateUrl is not a valid URL: "www.amazon.com/dp/B0X"',
    ],
    [
      "a host not on the allowlist",
      "https://evil.example/dp/B0X?tag=musthavemods",
      "host evil.example is not on the affiliate allowlist (autoexec.affiliate_hosts)",
    ],
    [
      "an allowed host named only in the query",
      "https://evil.example/?u=amazon.com",
      "host evil.example is not on the affiliate allowlist (autoexec.affiliate_hosts)",
    ],
    [
      "an allowed host as the start of another domain",
      "https://amazon.com.evil.example/x?tag=musthavemods",
      "host amazon.com.evil.example is not on the affiliate allowlist (autoexec.affiliate_hosts)",
    ],
    [
      "a subdomain of an allowed host",
      "https://smile.amazon.com/dp/B0X?tag=musthavemods",
      "host smile.amazon.com is not on the affiliate allowlist (autoexec.affiliate_hosts)",
    ],
    [
      "an allowed host as the user name",
      "https://amazon.com@evil.example/",
      "affiliateUrl must not carry a user name or password",
    ],
    ["a port", "https://www.amazon.com:8443/dp/B0X?tag=musthavemods", "affiliateUrl must not name a port"],
    [
      "amazon without a tag",
      "https://www.amazon.com/dp/B0X",
      "links to www.amazon.com must carry tag=musthavemods",
    ],
    [
      "amazon with someone else's tag",
      "https://www.amazon.com/dp/B0X?tag=someoneelse",
      "links to www.amazon.com must carry tag=musthavemods",
    ],
    [
      "amazon with our tag followed by someone else's",
      "https://www.amazon.com/dp/B0X?tag=musthavemods&tag=someoneelse",
      "links to www.amazon.com must carry tag only once",
    ],
    [
      "an EA page outside the store",
      "https://www.ea.com/games/the-sims",
      "the path /games/the-sims is not an affiliate page of www.ea.com",
    ],
    [
      "an EA page with store only in the query",
      "https://www.ea.com/news?from=/store/",
      "the path /news is not an affiliate page of www.ea.com",
    ],
    [
      "an EA page merely ending in store",
      "https://ea.com/bookstore",
      "the path /bookstore is not an affiliate page of ea.com",
    ],
  ])("refuses %s", async (_what, affiliateUrl, reason) => {
    await expectInvalid(type, link(await insertMod(db.pool), affiliateUrl), reason);
  });

  it("refuses a link the mod already has, however it is written", async () => {
    const modId = await insertMod(db.pool, { affiliateLinks: [editorsLink] });
    await expectExecuted(type, amazonLink(modId, "B0DUP"));
    for (const url of [
      "https://www.amazon.com/dp/B0DUP?tag=musthavemods",
      "https://WWW.AMAZON.COM:443/dp/B0DUP?tag=musthavemods",
      editorsLink.url,
    ]) {
      await expectInvalid(type, link(modId, url), `affiliate link already exists on mod ${modId}`);
    }
  });

  describe("follows changes to autoexec.affiliate_hosts", () => {
    afterEach(async () => {
      await db.pool.query(
        `update autoexec.affiliate_hosts set required_params = '{"tag": "musthavemods"}' where host like '%amazon.com'`,
      );
      await db.pool.query("delete from autoexec.affiliate_hosts where host = 'www.curseforge.com'");
    });

    it("a new amazon tag: the old one is refused, the new one accepted", async () => {
      await db.pool.query(
        `update autoexec.affiliate_hosts set required_params = '{"tag": "newtag-20"}' where host like '%amazon.com'`,
      );
      const modId = await insertMod(db.pool);
      await expectInvalid(type, amazonLink(modId), "links to www.amazon.com must carry tag=newtag-20");
      await expectExecuted(type, link(modId, "https://www.amazon.com/dp/B0NEW?tag=newtag-20"));
    });

    it("a newly allowed host is accepted", async () => {
      const modId = await insertMod(db.pool);
      const data = link(modId, "https://www.curseforge.com/sims4/mods/better-farms");
      await expectInvalid(
        type,
        data,
        "host www.curseforge.com is not on the affiliate allowlist (autoexec.affiliate_hosts)",
      );
      await db.pool.query("insert into autoexec.affiliate_hosts (host) values ('www.curseforge.com')");
      await expectExecuted(type, data);
    });
  });
});

describe("UPDATE_META_DESCRIPTION", () => {
  const type = "UPDATE_META_DESCRIPTION";

  it("replaces the meta description with the trimmed text, and logs the old one", async () => {
    const modId = await insertMod(db.pool, { metaDescription: "Old description." });
    const before = await getMod(modId);
    const { log } = await expectExecuted(type, { modId, metaDescription: "  A new, better description.  " });
    expect(await getMod(modId)).toEqual({
      ...before,
      meta_description: "A new, better description.",
      updated_at: expect.any(String),
    });
    expect(log.output_data).toEqual({ modId, metaDescription: "A new, better description." });
    expect(log.rollback_data).toEqual({
      modId,
      metaDescriptionBefore: "Old description.",
      metaDescriptionAfter: "A new, better description.",
    });
  });

  it("accepts exactly 160 characters", async () => {
    const modId = await insertMod(db.pool);
    const metaDescription = "x".repeat(160);
    await expectExecuted(type, { modId, metaDescription });
    expect((await getMod(modId)).meta_description).toBe(metaDescription);
  });

  it.each([
    ["a description", "Old description."],
    ["no description", undefined],
  ])("rollback restores a mod that had %s", async (_what, metaDescription) => {
    const modId = await insertMod(db.pool, { metaDescription });
    const before = await contentSnapshot();
    const { actionId, log } = await expectExecuted(type, { modId, metaDescription: "Replaced for a while." });
    await rollBack(type, actionId, log);
    expect(withoutChangeStamps(await contentSnapshot())).toEqual(withoutChangeStamps(before));
    expect((await getMod(modId)).meta_description).toBe(metaDescription ?? null);
  });

  it.each([
    ["an empty text", "", "metaDescription: metaDescription must not be empty"],
    ["only spaces", "   ", "metaDescription: metaDescription must not be empty"],
    ["161 characters", "x".repeat(161), "metaDescription: metaDescription must be at most 160 characters"],
    [
      "HTML tags",
      "The <b>best</b> mod",
      "metaDescription: metaDescription must be plain text, without HTML tags, character references or script links",
    ],
    [
      "a newline",
      "First line\nsecond line",
      "metaDescription: metaDescription must be one line of plain text",
    ],
  ])("refuses %s", async (_what, metaDescription, reason) => {
    const modId = await insertMod(db.pool, { metaDescription: "Kept as it is." });
    await expectInvalid(type, { modId, metaDescription }, reason);
  });

  it("refuses the text the mod already has, also with surrounding spaces", async () => {
    const modId = await insertMod(db.pool, { metaDescription: "Kept as it is." });
    for (const metaDescription of ["Kept as it is.", " Kept as it is. "]) {
      await expectInvalid(type, { modId, metaDescription }, `mod ${modId} already has this meta description`);
    }
  });
});

describe("ADD_TO_COLLECTION", () => {
  const type = "ADD_TO_COLLECTION";

  /** A collection whose members sit at `positions`, and a mod outside it. */
  async function collectionWith(positions: number[]) {
    const collectionId = await insertCollection(db.pool);
    for (const position of positions) {
      await insertCollectionMod(db.pool, collectionId, await insertMod(db.pool), position);
    }
    return { collectionId, modId: await insertMod(db.pool) };
  }

  it.each([
    ["after the last position by default", [0, 4, 1], undefined, 5],
    ["first into an empty collection", [], undefined, 0],
    ["at an explicit position", [0, 4], 2, 2],
    ["at explicit position 0, beside an existing member", [0, 1], 0, 0],
  ])("adds the mod %s", async (_what, positions, position, expected) => {
    const { collectionId, modId } = await collectionWith(positions);
    const membersBefore = await membersOf(collectionId);
    const modBefore = await getMod(modId);
    const { log } = await expectExecuted(type, { modId, collectionId, position });

    const added = {
      collection_id: collectionId,
      mod_id: modId,
      position: expected,
      added_at: expect.any(String),
      added_by: "autoexec",
    };
    const members = await membersOf(collectionId);
    expect(members).toHaveLength(membersBefore.length + 1);
    expect(members.filter((member) => member.mod_id !== modId)).toEqual(membersBefore);
    expect(members.find((member) => member.mod_id === modId)).toEqual(added);
    expect(await getMod(modId)).toEqual(modBefore);
    expect(log.output_data).toEqual({ collectionId, modId, position: expected });
    expect(log.rollback_data).toEqual({ collectionId, modId, positionAfter: expected });
  });

  it("rollback restores the collection exactly", async () => {
    const { collectionId, modId } = await collectionWith([0, 1]);
    const before = await contentSnapshot();
    const { actionId, log } = await expectExecuted(type, { modId, collectionId });
    await rollBack(type, actionId, log);
    expect(await contentSnapshot()).toEqual(before);
  });

  it("refuses a collection that does not exist", async () => {
    const { modId } = await collectionWith([]);
    await expectInvalid(type, { modId, collectionId: 876_543_210 }, "collection 876543210 not found");
  });

  it("refuses a mod that is already a member", async () => {
    const { collectionId, modId } = await collectionWith([0]);
    await insertCollectionMod(db.pool, collectionId, modId, 3);
    await expectInvalid(
      type,
      { modId, collectionId, position: 1 },
      `mod ${modId} is already in collection ${collectionId}`,
    );
  });
});

describe("GENERATE_INTERNAL_LINK_SUGGESTIONS", () => {
  const type = "GENERATE_INTERNAL_LINK_SUGGESTIONS";

  /**
   * A source mod and candidates with known overlap. Stemmed words of the source:
   * {farm, harvest, pack, tractor, wheat}; score = shared / all distinct words + 0.25 per shared collection.
   */
  async function seedCorpus() {
    const mod = (title: string, body: string) => insertMod(db.pool, { title, body });
    const source = await mod("Tractor Pack", "Farming tractors for the wheat harvest");
    // {farm, harvest, tractor, wheat}: 4 of 5 words → 0.8
    const sameTopic = await mod("Harvest Tractor", "A tractor for wheat farms");
    // {barn, farm, wheat}: 2 of 6 words + one collection → 0.5833
    const related = await mod("Barn", "Wheat barns on the farm");
    // {bus, citi}: no words, two collections → 0.5
    const collectionOnly = await mod("City Bus", "Buses for the city");
    // {farm, road, tractor, truck}: 2 of 7 words → 0.2857
    const loose = await mod("Truck", "Farm roads for tractors");
    // {farm, rain}: one shared word and no shared collection is not enough
    const unrelated = await mod("Rain", "Rain over the farm");
    const [both, second, elsewhere] = [
      await insertCollection(db.pool),
      await insertCollection(db.pool),
      await insertCollection(db.pool),
    ];
    for (const [collectionId, modId] of [
      [both, source],
      [second, source],
      [both, related],
      [both, collectionOnly],
      [second, collectionOnly],
      // A collection the source is not in counts for nothing.
      [elsewhere, loose],
      [elsewhere, unrelated],
    ] as const) {
      await insertCollectionMod(db.pool, collectionId, modId);
    }
    const expected = {
      sameTopic: {
        targetModId: sameTopic,
        score: 0.8,
        reasons: { sharedWords: ["farm", "harvest", "tractor", "wheat"], sharedCollections: [] },
      },
      related: {
        targetModId: related,
        score: 0.5833,
        reasons: { sharedWords: ["farm", "wheat"], sharedCollections: [both] },
      },
      collectionOnly: {
        targetModId: collectionOnly,
        score: 0.5,
        reasons: { sharedWords: [], sharedCollections: [both, second] },
      },
      loose: {
        targetModId: loose,
        score: 0.2857,
        reasons: { sharedWords: ["farm", "tractor"], sharedCollections: [] },
      },
    };
    return {
      source,
      expected,
      mods: [source, sameTopic, related, collectionOnly, loose, unrelated],
      collections: [both, second, elsewhere],
    };
  }

  let corpus: Awaited<ReturnType<typeof seedCorpus>>;
  beforeEach(async () => {
    corpus = await seedCorpus();
  });
  // Each test's corpus uses the same words, so it must not stay around as candidates for the next one.
  afterEach(async () => {
    await db.pool.query("delete from content.mods where id = any($1)", [corpus.mods]);
    await db.pool.query("delete from content.collections where id = any($1)", [corpus.collections]);
  });

  async function suggestionsFor(sourceModId: number): Promise<Row[]> {
    return jsonRows(
      `select jsonb_build_object('id', id, 'targetModId', target_mod_id, 'score', score, 'reasons', reasons,
         'status', status, 'actionId', action_id) as row
       from content.internal_link_suggestions where source_mod_id = $1 order by score desc, target_mod_id`,
      [sourceModId],
    );
  }

  it("stores the best-scoring suggestions, ordered by score, without touching the mod", async () => {
    const { source, expected } = corpus;
    const sourceBefore = await getMod(source);
    const { actionId, log } = await expectExecuted(type, { modId: source, maxSuggestions: 3 });

    const best = [expected.sameTopic, expected.related, expected.collectionOnly];
    expect(log.output_data).toEqual({ modId: source, suggestions: best });
    const stored = await suggestionsFor(source);
    expect(stored).toEqual(
      best.map((suggestion) => ({ ...suggestion, id: expect.any(Number), status: "suggested", actionId })),
    );
    expect(log.rollback_data).toEqual({ modId: source, suggestionIds: stored.map((row) => row.id) });
    // Suggestions only: the mod row, updated_at included, is exactly as before.
    expect(await getMod(source)).toEqual(sourceBefore);
  });

  it("suggests five by default, and a second run skips targets already suggested", async () => {
    const { source, expected } = corpus;
    const first = await expectExecuted(type, { modId: source, maxSuggestions: 2 });
    expect(first.log.output_data).toEqual({
      modId: source,
      suggestions: [expected.sameTopic, expected.related],
    });

    const second = await expectExecuted(type, { modId: source });
    expect(second.log.output_data).toEqual({
      modId: source,
      suggestions: [expected.collectionOnly, expected.loose],
    });
    expect((await suggestionsFor(source)).map((row) => [row.targetModId, row.actionId])).toEqual([
      [expected.sameTopic.targetModId, first.actionId],
      [expected.related.targetModId, first.actionId],
      [expected.collectionOnly.targetModId, second.actionId],
      [expected.loose.targetModId, second.actionId],
    ]);

    const third = await expectExecuted(type, { modId: source });
    expect(third.log.output_data).toEqual({ modId: source, suggestions: [] });
    expect(third.log.rollback_data).toEqual({ modId: source, suggestionIds: [] });
  });

  it("rollback withdraws exactly its suggestions", async () => {
    const before = await contentSnapshot();
    const { actionId, log } = await expectExecuted(type, { modId: corpus.source });
    expect(await suggestionsFor(corpus.source)).toHaveLength(4);
    await rollBack(type, actionId, log);
    expect(await contentSnapshot()).toEqual(before);
  });

  it("rollback keeps a suggestion an editor has already placed", async () => {
    const { source, expected } = corpus;
    const { actionId, log } = await expectExecuted(type, { modId: source });
    await db.pool.query(
      "update content.internal_link_suggestions set status = 'placed' where source_mod_id = $1 and target_mod_id = $2",
      [source, expected.related.targetModId],
    );
    await rollBack(type, actionId, log);
    expect(await suggestionsFor(source)).toEqual([
      { ...expected.related, id: expect.any(Number), status: "placed", actionId },
    ]);
  });
});

describe("an execution's round trips", () => {
  /** A pool of its own whose clients count every query they send. */
  function countingPool() {
    const pool = createPool(db.url, db.log, 2);
    const counter = { queries: 0, pool };
    pool.on("connect", (client) => {
      const send = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        counter.queries++;
        return send(...args);
      }) as typeof client.query;
    });
    return counter;
  }

  it("are its opening, the handler's own statements and its log: what a write changed comes back with the write", async () => {
    const counter = countingPool();
    const { pool } = counter;
    const roundTrips = async (type: string, data: Data) => {
      const actionId = await insertAction(db.pool, { type, data });
      counter.queries = 0;
      expect(await executeAction({ pool, handlers, log: db.log }, actionId)).toMatchObject({
        outcome: "executed",
      });
      const { rows } = await db.pool.query("select diff from autoexec.execution_logs where action_id = $1", [
        actionId,
      ]);
      return { queries: counter.queries, diff: rows[0]?.diff };
    };
    try {
      const meta = await roundTrips("UPDATE_META_DESCRIPTION", {
        modId: await insertMod(db.pool, { metaDescription: "Old description." }),
        metaDescription: "New description.",
      });
      // start_execution, the UPDATE, the log (with its commit).
      expect(meta).toEqual({
        queries: 3,
        diff: {
          before: { metaDescription: "Old description." },
          after: { metaDescription: "New description." },
        },
      });
      const link = await roundTrips("ADD_AFFILIATE_LINK", amazonLink(await insertMod(db.pool)));
      // ... and the allowlist lookup.
      expect(link.queries).toBe(4);
      expect(link.diff).toEqual({
        before: { affiliateLinks: [] },
        after: { affiliateLinks: [{ url: amazonLink(0).affiliateUrl, type: "amazon", position: "sidebar" }] },
      });
    } finally {
      await pool.end();
    }
  });

  it("of a refusal are its opening and one more: the database recorded the wait, the refused data goes with the commit", async () => {
    const counter = countingPool();
    const { pool } = counter;
    const roundTrips = async (data: Data, outcome: string) => {
      const actionId = await insertAction(db.pool, { type: "UPDATE_META_DESCRIPTION", data });
      counter.queries = 0;
      expect(await executeAction({ pool, handlers, log: db.log }, actionId)).toMatchObject({ outcome });
      return counter.queries;
    };
    try {
      // start_execution; record_invalid with the commit.
      expect(await roundTrips({ modId: "x", metaDescription: "Never." }, "invalid")).toBe(2);
      await db.pool.query("update autoexec.settings set hourly_limit = 1");
      await backdateExecutions(db.pool, [minutesAgo(1)]);
      const modId = await insertMod(db.pool);
      // start_execution (which recorded the wait for a slot); the commit, once validate found the data good.
      expect(await roundTrips({ modId, metaDescription: "Later." }, "not_now")).toBe(2);
    } finally {
      await goLiveUnguarded(db.pool);
      await pool.end();
    }
  });
});

describe("refusals every handler shares", () => {
  const missingMod: [string, Data][] = [
    ["ADD_AFFILIATE_LINK", amazonLink(MISSING_MOD)],
    ["UPDATE_META_DESCRIPTION", { modId: MISSING_MOD, metaDescription: "Nobody will read this." }],
    ["ADD_TO_COLLECTION", { modId: MISSING_MOD, collectionId: 1 }],
    ["GENERATE_INTERNAL_LINK_SUGGESTIONS", { modId: MISSING_MOD }],
  ];
  it.each(missingMod)("%s: a mod that does not exist", async (type, data) => {
    await expectInvalid(type, data, `mod ${MISSING_MOD} not found`);
  });

  // The schema is checked before anything reads the database, so the mod need not exist.
  const badData: [string, string, Data, string][] = [
    [
      "ADD_AFFILIATE_LINK",
      "a string modId",
      { ...amazonLink(MISSING_MOD), modId: "1" },
      "modId: Invalid input: expected number, received string",
    ],
    [
      "ADD_AFFILIATE_LINK",
      "a missing affiliateUrl",
      { modId: MISSING_MOD, affiliateType: "amazon" },
      "affiliateUrl: Invalid input: expected string, received undefined",
    ],
    [
      "ADD_AFFILIATE_LINK",
      "an unknown position",
      { ...amazonLink(MISSING_MOD), position: "popup" },
      'position: Invalid option: expected one of "sidebar"|"inline"|"header"|"footer"',
    ],
    [
      "ADD_AFFILIATE_LINK",
      "an extra key",
      { ...amazonLink(MISSING_MOD), rel: "nofollow" },
      'action_data: Unrecognized key: "rel"',
    ],
    [
      "UPDATE_META_DESCRIPTION",
      "a numeric metaDescription",
      { modId: MISSING_MOD, metaDescription: 42 },
      "metaDescription: Invalid input: expected string, received number",
    ],
    [
      "UPDATE_META_DESCRIPTION",
      "an extra key",
      { modId: MISSING_MOD, metaDescription: "Fine text.", title: "Sneaky" },
      'action_data: Unrecognized key: "title"',
    ],
    [
      "ADD_TO_COLLECTION",
      "a null modId",
      { modId: null, collectionId: 1 },
      "modId: Invalid input: expected number, received null",
    ],
    [
      "ADD_TO_COLLECTION",
      "a negative position",
      { modId: MISSING_MOD, collectionId: 1, position: -1 },
      "position: Too small: expected number to be >=0",
    ],
    [
      "ADD_TO_COLLECTION",
      "an extra key",
      { modId: MISSING_MOD, collectionId: 1, collection: "new" },
      'action_data: Unrecognized key: "collection"',
    ],
    [
      "GENERATE_INTERNAL_LINK_SUGGESTIONS",
      "a string maxSuggestions",
      { modId: MISSING_MOD, maxSuggestions: "5" },
      "maxSuggestions: Invalid input: expected number, received string",
    ],
    [
      "GENERATE_INTERNAL_LINK_SUGGESTIONS",
      "too many suggestions",
      { modId: MISSING_MOD, maxSuggestions: 21 },
      "maxSuggestions: Too big: expected number to be <=20",
    ],
    [
      "GENERATE_INTERNAL_LINK_SUGGESTIONS",
      "an extra key",
      { modId: MISSING_MOD, targetModIds: [2] },
      'action_data: Unrecognized key: "targetModIds"',
    ],
  ];
  it.each(badData)("%s: %s", async (type, _what, data, reason) => {
    await expectInvalid(type, data, reason);
  });
});

describe("a handler that throws after changing content", () => {
  /** The real handlers, except that `type`'s execute throws after the real execute has run. */
  function failingAfterExecute(type: string, seen: { inside?: Snapshot }): Registry {
    const real = handlerFor(type);
    const failing: ActionHandler = {
      ...real,
      async execute(ctx, data) {
        await real.execute(ctx, data);
        seen.inside = await contentSnapshot(ctx.db);
        throw new Error(`${type} broke after writing`);
      },
    };
    return new Map([...handlers, [type, failing]]);
  }

  /** Data for an action of each type that changes content when it runs. */
  const proposals: [string, () => Promise<Data>][] = [
    ["ADD_AFFILIATE_LINK", async () => amazonLink(await insertMod(db.pool))],
    [
      "UPDATE_META_DESCRIPTION",
      async () => ({ modId: await insertMod(db.pool), metaDescription: "Never saved." }),
    ],
    [
      "ADD_TO_COLLECTION",
      async () => ({ modId: await insertMod(db.pool), collectionId: await insertCollection(db.pool) }),
    ],
    [
      "GENERATE_INTERNAL_LINK_SUGGESTIONS",
      async () => {
        const [modId, other, collectionId] = [
          await insertMod(db.pool),
          await insertMod(db.pool),
          await insertCollection(db.pool),
        ];
        await insertCollectionMod(db.pool, collectionId, modId);
        await insertCollectionMod(db.pool, collectionId, other);
        return { modId };
      },
    ],
  ];

  it.each(proposals)(
    "%s: leaves no change, logs the failure and counts the attempt",
    async (type, propose) => {
      const actionId = await insertAction(db.pool, { type, data: await propose() });
      const before = await contentSnapshot();
      const seen: { inside?: Snapshot } = {};
      const error = `${type} broke after writing`;

      const attempt = run(actionId, failingAfterExecute(type, seen));
      await expect(attempt).rejects.toThrow(RetryableExecutionError);
      await expect(attempt).rejects.toThrow(`attempt 1 failed: ${error}`);

      expect(seen.inside).toBeDefined();
      expect(seen.inside).not.toEqual(before); // the real execute did change content inside the transaction
      expect(await contentSnapshot()).toEqual(before);
      expect(await logsOf(actionId)).toEqual([
        {
          mode: "live",
          executed_by: "auto",
          attempt: 1,
          success: false,
          error_message: error,
          input_data: expect.anything(),
          output_data: null,
          rollback_data: null,
          executed_at: expect.any(Date),
        },
      ]);
      expect(await actionRow(actionId)).toEqual({
        status: "PENDING",
        status_reason: `attempt 1 of 3 failed (${error}); retrying`,
        execution_attempts: 1,
        execution_result: { success: false, error },
        executed_at: null,
      });
    },
  );

  it("ends FAILED on the last attempt, still without any change", async () => {
    const type = "ADD_AFFILIATE_LINK";
    const actionId = await insertAction(db.pool, { type, data: amazonLink(await insertMod(db.pool)) });
    const before = await contentSnapshot();
    const registry = failingAfterExecute(type, {});
    const error = `${type} broke after writing`;

    await expect(run(actionId, registry)).rejects.toThrow(`attempt 1 failed: ${error}`);
    await expect(run(actionId, registry)).rejects.toThrow(`attempt 2 failed: ${error}`);
    expect(await run(actionId, registry)).toEqual({ outcome: "failed", final: true, attempts: 3, error });

    expect(await contentSnapshot()).toEqual(before);
    expect((await logsOf(actionId)).map((log) => [log.attempt, log.success, log.error_message])).toEqual([
      [1, false, error],
      [2, false, error],
      [3, false, error],
    ]);
    expect(await actionRow(actionId)).toMatchObject({
      status: "FAILED",
      status_reason: `failed 3 times; last error: ${error}`,
      execution_attempts: 3,
    });
  });
});

describe("engine edits are not outside edits", () => {
  it.each([
    ["ADD_AFFILIATE_LINK", (modId: number) => amazonLink(modId)],
    ["UPDATE_META_DESCRIPTION", (modId: number) => ({ modId, metaDescription: "Written by the engine." })],
  ])("an executed %s moves updated_at but not externally_modified_at", async (type, data) => {
    const modId = await insertMod(db.pool);
    const before = await stampsOf(modId);
    await expectExecuted(type, data(modId));
    const after = await stampsOf(modId);
    expect(after.external).toBe(before.external);
    expect(after.updated).toBeGreaterThan(before.updated);
  });

  it("an outside UPDATE moves externally_modified_at, so the mod's next action waits", async () => {
    const modId = await insertMod(db.pool);
    await expectExecuted("ADD_AFFILIATE_LINK", amazonLink(modId, "B0ENGINE"));
    const before = await stampsOf(modId);
    await db.pool.query("update content.mods set body = 'Edited by hand.' where id = $1", [modId]);
    const after = await stampsOf(modId);
    expect(after.external).toBeGreaterThan(before.external);
    expect(after.external).toBe(after.updated);

    const actionId = await insertAction(db.pool, { data: amazonLink(modId, "B0LATER") });
    expect(await run(actionId)).toMatchObject({
      outcome: "not_now",
      decision: "defer",
      reason: expect.stringMatching(new RegExp(`^mod ${modId} was edited at .* to avoid conflicts$`)),
    });
  });
});
