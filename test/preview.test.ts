import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import type { Json } from "../src/handlers/types.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import {
  amazonLink,
  goLiveUnguarded,
  insertAction,
  insertCollection,
  insertCollectionMod,
  insertMod,
} from "./support/fixtures.ts";
import { createTestApi, type TestApi } from "./support/http.ts";
import { waitFor } from "./support/wait.ts";

let db: TestDatabase;
let api: TestApi;
let viewer: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await goLiveUnguarded(db.pool);
  api = await createTestApi(db);
  viewer = await api.token("viewer", "vera");
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const engine = () => ({ pool: db.pool, handlers, log: db.log });
const unique = () => Math.random().toString(36).slice(2, 10);

interface Preview {
  actionId: string;
  type: string | null;
  ok: boolean;
  reason: string | null;
  before: Record<string, Json> | null;
  after: Record<string, Json> | null;
  hash: string | null;
  computedAt: string;
}

const PREVIEW = `query Preview($id: BigInt!) {
  actionPreview(actionId: $id) { actionId type ok reason before after hash computedAt }
}`;

async function preview(actionId: number, token = viewer): Promise<Preview> {
  const { status, body } = await api.graphql(PREVIEW, { id: String(actionId) }, token);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data?.actionPreview as Preview;
}

async function approveAsSeen(actionId: number, hash: string, note = "looks right") {
  const { body } = await api.graphql(
    `mutation ($id: BigInt!, $hash: String!, $note: String) {
      approveActionAsSeen(input: { actionId: $id, previewHash: $hash, note: $note }) { result { id status } }
    }`,
    { id: String(actionId), hash, note },
  );
  expect(body.errors).toBeUndefined();
  return body.data?.approveActionAsSeen;
}

async function countRows(table: string): Promise<number> {
  const { rows } = await db.pool.query(`select count(*)::int as n from ${table}`);
  return rows[0].n;
}

// ---------------------------------------------------------------------------------------------------
// One case per type: the content, the action, and the before/after worked out by hand.

interface PreviewCase {
  type: string;
  /** Seeds content, returns the action data and the change the action makes, computed by hand. */
  setUp(): Promise<{
    data: Record<string, unknown>;
    before: Record<string, Json>;
    after: Record<string, Json>;
  }>;
  summary(data: Record<string, unknown>): string;
}

const cases: PreviewCase[] = [
  {
    type: "UPDATE_META_DESCRIPTION",
    async setUp() {
      const modId = await insertMod(db.pool, { metaDescription: "Old description." });
      return {
        data: { modId, metaDescription: "A new, better description." },
        before: { metaDescription: "Old description." },
        after: { metaDescription: "A new, better description." },
      };
    },
    summary: () => "meta: 16 → 26 characters",
  },
  {
    type: "ADD_AFFILIATE_LINK",
    async setUp() {
      const editors = { url: "https://www.patreon.com/somecreator", type: "patreon", position: "footer" };
      const modId = await insertMod(db.pool, { affiliateLinks: [{ ...editors, addedBy: "editor" }] });
      return {
        data: amazonLink(modId),
        before: { affiliateLinks: [editors] },
        after: {
          affiliateLinks: [
            editors,
            {
              url: "https://www.amazon.com/dp/B000TEST?tag=musthavemods",
              type: "amazon",
              position: "sidebar",
            },
          ],
        },
      };
    },
    summary: () => "adds Amazon link to sidebar",
  },
  {
    type: "ADD_TO_COLLECTION",
    async setUp() {
      const slug = `best-${unique()}`;
      const collectionId = await insertCollection(db.pool, slug);
      const first = await insertMod(db.pool, { title: "Seasons Overhaul" });
      await insertCollectionMod(db.pool, collectionId, first, 0);
      const modId = await insertMod(db.pool, { title: "Better Crops" });
      const page = (mods: Json[]) => ({
        collection: { slug, title: `Collection ${slug}`, description: "", mods },
      });
      const seasons = { modId: first, title: "Seasons Overhaul", position: 0 };
      return {
        data: { modId, collectionId },
        before: page([seasons]),
        after: page([seasons, { modId, title: "Better Crops", position: 1 }]),
      };
    },
    summary: (data) => `adds to collection "Collection ${data.slug}" at the end`,
  },
  {
    type: "GENERATE_INTERNAL_LINK_SUGGESTIONS",
    async setUp() {
      // One-word titles and empty bodies share no two words with anything: only the shared collection
      // links them, for a score of exactly 0.25.
      const collectionId = await insertCollection(db.pool);
      const source = await insertMod(db.pool, { title: "Alpha" });
      const near = await insertMod(db.pool, { title: "Beta" });
      for (const modId of [source, near]) await insertCollectionMod(db.pool, collectionId, modId);
      return {
        data: { modId: source, maxSuggestions: 3 },
        before: { linkSuggestions: [] },
        after: {
          linkSuggestions: [{ targetModId: near, targetTitle: "Beta", score: 0.25, status: "suggested" }],
        },
      };
    },
    summary: () => "suggests up to 3 internal links",
  },
  {
    type: "EXPAND_CONTENT",
    async setUp() {
      const body = "Intro.\n\n## Installation\n\nUnzip it into Mods.";
      const modId = await insertMod(db.pool, { body });
      return {
        data: { modId, content: "First step.\n\nSecond step.\n\nThird step." },
        before: { body },
        after: { body: `${body}\n\nFirst step.\n\nSecond step.\n\nThird step.` },
      };
    },
    summary: () => "adds 3 paragraphs under Installation",
  },
  {
    type: "ADD_AD_SLOT",
    async setUp() {
      const modId = await insertMod(db.pool);
      await db.pool.query(
        "insert into content.ad_slots (mod_id, position, format) values ($1, 'footer', 'banner')",
        [modId],
      );
      const footer = { position: "footer", format: "banner" };
      return {
        data: { modId, position: "sidebar_top", format: "leaderboard" },
        before: { adSlots: [footer] },
        after: { adSlots: [footer, { position: "sidebar_top", format: "leaderboard" }] },
      };
    },
    summary: () => "adds leaderboard ad slot at sidebar_top",
  },
  {
    type: "CREATE_COLLECTION_PAGE",
    async setUp() {
      const slug = `farming-${unique()}`;
      const crops = await insertMod(db.pool, { title: "Better Crops" });
      const tractor = await insertMod(db.pool, { title: "Tractor Mod" });
      return {
        data: { slug, title: "Farming Essentials", description: "For the farm.", modIds: [tractor, crops] },
        before: { collectionPage: null },
        after: {
          collectionPage: {
            slug,
            title: "Farming Essentials",
            description: "For the farm.",
            mods: [
              { modId: tractor, title: "Tractor Mod", position: 0 },
              { modId: crops, title: "Better Crops", position: 1 },
            ],
          },
        },
      };
    },
    summary: () => 'creates page "Farming Essentials" with 2 mods',
  },
];

it("covers every handler", () => {
  expect(cases.map((c) => c.type).sort()).toEqual([...handlers.keys()].sort());
});

describe.each(cases)("$type", (previewCase) => {
  it("previews exactly what the live execution then changes, and the preview itself changes nothing", async () => {
    const { data, before, after } = await previewCase.setUp();
    const actionId = await insertAction(db.pool, { type: previewCase.type, data });
    const counts = async () => ({
      logs: await countRows("autoexec.execution_logs"),
      mods: (
        await db.pool.query("select md5(string_agg(to_jsonb(m)::text, ',' order by id)) from content.mods m")
      ).rows[0],
      collections: await countRows("content.collection_mods"),
      slots: await countRows("content.ad_slots"),
      suggestions: await countRows("content.internal_link_suggestions"),
    });
    const unchanged = await counts();

    const seen = await preview(actionId);
    expect(seen).toEqual({
      actionId: String(actionId),
      type: previewCase.type,
      ok: true,
      reason: null,
      before,
      after,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      computedAt: expect.any(String),
    });
    expect(await counts()).toEqual(unchanged);

    if (handlers.get(previewCase.type)?.tier === 2) await approveAsSeen(actionId, seen.hash as string);
    const outcome = await executeAction(engine(), actionId);
    expect(outcome).toMatchObject({ outcome: "executed", mode: "live" });
    const { rows } = await db.pool.query("select diff from autoexec.execution_logs where id = $1", [
      (outcome as { executionLogId: number }).executionLogId,
    ]);
    expect(rows[0].diff).toEqual({ before: seen.before, after: seen.after });
  });

  it("summarises the change in one line and names the page it is about, for the queue", async () => {
    const { data } = await previewCase.setUp();
    const actionId = await insertAction(db.pool, { type: previewCase.type, data });
    const { body } = await api.graphql(
      "query ($id: BigInt!) { actionById(id: $id) { changeSummary subject } }",
      { id: String(actionId) },
      viewer,
    );
    const row = body.data?.actionById as { changeSummary: string; subject: Record<string, Json> };
    const collectionSlug =
      previewCase.type === "ADD_TO_COLLECTION"
        ? (await db.pool.query("select slug from content.collections where id = $1", [data.collectionId]))
            .rows[0].slug
        : undefined;
    expect(row.changeSummary).toBe(previewCase.summary({ ...data, slug: collectionSlug ?? data.slug }));
    if (previewCase.type === "CREATE_COLLECTION_PAGE") {
      expect(row.subject).toEqual({
        kind: "collection",
        slug: data.slug,
        title: "Farming Essentials",
        pageUrl: `https://musthavemods.com/collections/${data.slug}`,
      });
    } else {
      const { rows } = await db.pool.query("select id, slug, title from content.mods where id = $1", [
        data.modId,
      ]);
      expect(row.subject).toEqual({
        kind: "mod",
        id: rows[0].id,
        slug: rows[0].slug,
        title: rows[0].title,
        pageUrl: `https://musthavemods.com/mods/${rows[0].slug}`,
      });
    }
  });
});

describe("a preview that fails", () => {
  it("says why, in the words the execution then records", async () => {
    const modId = await insertMod(db.pool);
    const actionId = await insertAction(db.pool, {
      data: { modId, affiliateUrl: "https://amazon.com.evil.example/dp/X", affiliateType: "amazon" },
    });
    const seen = await preview(actionId);
    expect(seen).toMatchObject({ ok: false, before: null, after: null, hash: null });
    expect(seen.reason).toBe(
      "host amazon.com.evil.example is not on the affiliate allowlist (autoexec.affiliate_hosts)",
    );
    expect(await executeAction(engine(), actionId)).toEqual({ outcome: "invalid", reason: seen.reason });
  });

  it("names the bad field of malformed data, and a failing write's error", async () => {
    const malformed = await insertAction(db.pool, { type: "EXPAND_CONTENT", data: { modId: "eleven" } });
    expect((await preview(malformed)).reason).toBe(
      "modId: Invalid input: expected number, received string; content: Invalid input: expected string, received undefined",
    );
    // The site's database allows at most 12 links: the write fails, as the execution would.
    const links = Array.from({ length: 12 }, (_, n) => ({
      url: `https://patreon.com/c${n}`,
      type: "patreon",
    }));
    const full = await insertAction(db.pool, {
      data: amazonLink(await insertMod(db.pool, { affiliateLinks: links })),
    });
    expect((await preview(full)).reason).toMatch(/mods_affiliate_links_limit/);
  });

  it("for an action that will not execute, says so; for an unknown id, answers null", async () => {
    const tier3 = await insertAction(db.pool, { type: "CHANGE_URL", data: { modId: 1, to: "/x" } });
    expect((await preview(tier3)).reason).toBe("manual only: the engine never executes Tier 3 actions");
    const rejected = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId: 1, position: "a", format: "b" },
    });
    await db.pool.query("select autoexec.reject_action($1, 'no ads here')", [rejected]);
    expect((await preview(rejected)).reason).toBe("action is REJECTED: it will not execute");
    const { body } = await api.graphql(PREVIEW, { id: "987654321" }, viewer);
    expect(body).toEqual({ data: { actionPreview: null } });
    const bad = await api.graphql(PREVIEW, { id: "-4" }, viewer);
    expect(bad.body.errors?.[0]?.message).toBe("`actionId` must be a positive whole number");
  });
});

describe("an approval is of what the admin saw", () => {
  async function approvedExpansion() {
    const modId = await insertMod(db.pool, { body: "Original body.", metaDescription: "Meta." });
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "Added paragraph." },
    });
    const seen = await preview(actionId);
    await approveAsSeen(actionId, seen.hash as string, "reads well");
    return { modId, actionId, seen };
  }

  it("an editor's change between approval and execution returns the action for review, changing nothing", async () => {
    const { modId, actionId } = await approvedExpansion();
    await db.pool.query("update content.mods set body = 'Rewritten by an editor.' where id = $1", [modId]);
    const logsBefore = await countRows("autoexec.execution_logs");

    const outcome = await executeAction(engine(), actionId);
    expect(outcome).toEqual({
      outcome: "not_now",
      decision: "review",
      reason: expect.stringMatching(
        /^returned for review: the content changed after alice approved it at .+ UTC, so this change is no longer the one that was approved; review the new preview$/,
      ),
      retryAt: null,
    });
    const reason = (outcome as { reason: string }).reason;
    const { rows } = await db.pool.query(
      "select a.status, a.status_reason, a.reviewed_by, a.approved_preview, m.body from autoexec.actions a, content.mods m where a.id = $1 and m.id = $2",
      [actionId, modId],
    );
    expect(rows[0]).toEqual({
      status: "PENDING",
      status_reason: reason,
      reviewed_by: null,
      approved_preview: null,
      body: "Rewritten by an editor.",
    });
    expect(await countRows("autoexec.execution_logs")).toBe(logsBefore);
    const audit = await db.pool.query(
      "select actor, old_values, new_values, note from autoexec.audit_events where action = 'action.returned_for_review' and subject_id = $1",
      [String(actionId)],
    );
    expect(audit.rows).toEqual([
      {
        actor: "engine",
        old_values: {
          status: "APPROVED",
          reviewedBy: "alice",
          previewHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        new_values: { status: "PENDING" },
        note: reason,
      },
    ]);
    // The new preview is of the edited body; approving it runs it.
    const fresh = await preview(actionId);
    expect(fresh.before).toEqual({ body: "Rewritten by an editor." });
    expect(fresh.after).toEqual({ body: "Rewritten by an editor.\n\nAdded paragraph." });
    await approveAsSeen(actionId, fresh.hash as string);
    expect(await executeAction(engine(), actionId)).toMatchObject({ outcome: "executed", mode: "live" });
  });

  it("another action's change to the same page between approval and execution also returns it for review", async () => {
    const { modId, actionId } = await approvedExpansion();
    const other = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "Other text." },
    });
    await approveAsSeen(other, (await preview(other)).hash as string);
    expect(await executeAction(engine(), other)).toMatchObject({ outcome: "executed", mode: "live" });
    expect(await executeAction(engine(), actionId)).toMatchObject({ outcome: "not_now", decision: "review" });
    const { rows } = await db.pool.query("select body from content.mods where id = $1", [modId]);
    expect(rows[0].body).toBe("Original body.\n\nOther text.");
  });

  it("a change to a field the action does not touch does not hold it back", async () => {
    const { modId, actionId } = await approvedExpansion();
    await db.pool.query("update content.mods set meta_description = 'Edited meta.' where id = $1", [modId]);
    expect(await executeAction(engine(), actionId)).toMatchObject({ outcome: "executed", mode: "live" });
  });

  it.each(["approveAction", "approveActions"])(
    "an approval through %s (no preview) is of the content then: an edit before execution returns it for review",
    async (mutation) => {
      const modId = await insertMod(db.pool, { body: "Original body." });
      const actionId = await insertAction(db.pool, {
        type: "EXPAND_CONTENT",
        data: { modId, content: "Added paragraph." },
      });
      const input = mutation === "approveAction" ? `actionId: "${actionId}"` : `actionIds: ["${actionId}"]`;
      const { body } = await api.graphql(
        `mutation { ${mutation}(input: { ${input} }) { clientMutationId } }`,
      );
      expect(body.errors).toBeUndefined();
      // Backdated past the recent-edit window, so that only the approval can hold the action back.
      await db.pool.query(
        "update content.mods set body = 'Rewritten by an editor.', externally_modified_at = now() - interval '30 days' where id = $1",
        [modId],
      );

      expect(await executeAction(engine(), actionId)).toMatchObject({
        outcome: "not_now",
        decision: "review",
      });
      const { rows } = await db.pool.query(
        "select a.status, m.body from autoexec.actions a, content.mods m where a.id = $1 and m.id = $2",
        [actionId, modId],
      );
      expect(rows[0]).toEqual({ status: "PENDING", body: "Rewritten by an editor." });
    },
  );

  it("an approval through approveAction of unchanged content executes", async () => {
    const modId = await insertMod(db.pool, { body: "Original body." });
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "Added paragraph." },
    });
    const { body } = await api.graphql(
      `mutation { approveAction(input: { actionId: "${actionId}" }) { clientMutationId } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(await executeAction(engine(), actionId)).toMatchObject({ outcome: "executed", mode: "live" });
  });

  it("an approval without a preview hash is refused by approveActionAsSeen", async () => {
    const actionId = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId: 1, position: "a", format: "b" },
    });
    const { body } = await api.graphql(
      `mutation ($id: BigInt!) { approveActionAsSeen(input: { actionId: $id, previewHash: "abc" }) { result { id } } }`,
      { id: String(actionId) },
    );
    expect(body.errors?.[0]?.message).toBe(
      "preview_hash must be the 64-character hash of the preview you approve (actionPreview.hash)",
    );
  });
});

describe("many previews at once", () => {
  it("leave the engine's connections to an admin's execution, and each answers with a reason", async () => {
    const lockedMod = await insertMod(db.pool, { metaDescription: "Old." });
    const previewed = await insertAction(db.pool, {
      type: "UPDATE_META_DESCRIPTION",
      data: { modId: lockedMod, metaDescription: "New." },
    });
    // An editor's open transaction holds the mod, so every preview of it waits (up to its lock timeout).
    const editor = await db.pool.connect();
    try {
      await editor.query("begin");
      await editor.query("select from content.mods where id = $1 for update", [lockedMod]);
      const aliases = Array.from(
        { length: 12 },
        (_, i) => `p${i}: actionPreview(actionId: "${previewed}") { ok reason }`,
      );
      const previews = api.graphql(`{ ${aliases.join(" ")} }`, {}, viewer);
      const waitingOnTheMod = async () =>
        (
          await db.pool.query(
            "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()",
          )
        ).rows[0].n > 0;
      await waitFor(waitingOnTheMod, 10_000, { what: "previews waiting for the mod" });

      const actionId = await insertAction(db.pool, {
        type: "UPDATE_META_DESCRIPTION",
        data: { modId: await insertMod(db.pool), metaDescription: "The admin's." },
      });
      const execution = api
        .rest("POST", "/api/monetization/execute", { body: { actionId: String(actionId) } })
        .then((answer) => `execution answered ${answer.status}`);
      expect(await Promise.race([execution, previews.then(() => "previews answered")])).toBe(
        "execution answered 200",
      );
      await editor.query("rollback");

      const { body } = await previews;
      const answers = [...Object.values(body.data ?? {}), ...(body.errors ?? [])];
      expect(answers).toHaveLength(12);
      expect(JSON.stringify(body)).not.toMatch(/internal error/);
    } finally {
      await editor.query("rollback").catch(() => undefined);
      editor.release();
    }
  }, 60_000);
});

describe("pending Tier 2 proposals expire", () => {
  it("counting from its return for review, for an approval the content moved on from", async () => {
    const modId = await insertMod(db.pool, { body: "Original body." });
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "Added paragraph." },
    });
    await db.pool.query("update autoexec.actions set created_at = now() - interval '20 days' where id = $1", [
      actionId,
    ]);
    await approveAsSeen(actionId, (await preview(actionId)).hash as string);
    await db.pool.query(
      "update content.mods set body = 'Rewritten.', externally_modified_at = now() - interval '30 days' where id = $1",
      [modId],
    );
    expect(await executeAction(engine(), actionId)).toMatchObject({ outcome: "not_now", decision: "review" });

    await db.pool.query("select autoexec_private.sweep()");
    const { rows } = await db.pool.query(
      "select status, autoexec.actions_review_deadline(a) - now() > interval '13 days' as a_new_deadline from autoexec.actions a where id = $1",
      [actionId],
    );
    expect(rows[0]).toEqual({ status: "PENDING", a_new_deadline: true });
  });

  it("after settings.pending_ttl, with a reason; reviewDeadline says when", async () => {
    const modId = await insertMod(db.pool);
    const old = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId, position: "a", format: "b" },
    });
    const recent = await insertAction(db.pool, {
      type: "ADD_AD_SLOT",
      data: { modId, position: "c", format: "d" },
    });
    await db.pool.query("update autoexec.actions set created_at = '2026-01-01T10:00:00Z' where id = $1", [
      old,
    ]);
    await db.pool.query("update autoexec.actions set created_at = now() - interval '13 days' where id = $1", [
      recent,
    ]);
    const { body } = await api.graphql(
      "query ($id: BigInt!) { actionById(id: $id) { createdAt reviewDeadline } }",
      { id: String(recent) },
      viewer,
    );
    const row = body.data?.actionById as { createdAt: string; reviewDeadline: string };
    expect(new Date(row.reviewDeadline).getTime() - new Date(row.createdAt).getTime()).toBe(14 * 86_400_000);

    await db.pool.query("select autoexec_private.sweep()");
    const { rows } = await db.pool.query(
      "select id, status, status_reason from autoexec.actions where id = any($1) order by id",
      [[old, recent]],
    );
    expect(rows).toEqual([
      {
        id: old,
        status: "EXPIRED",
        status_reason:
          "nobody approved or rejected it within 14 days of its proposal at 2026-01-01 10:00:00 UTC (settings.pending_ttl)",
      },
      { id: recent, status: "PENDING", status_reason: "waiting for an admin's approval" },
    ]);
  });
});

describe("rollbackPreview", () => {
  it("shows what undoing an execution would change now, and where the content moved on, what a forced rollback discards", async () => {
    const modId = await insertMod(db.pool, { body: "Original body." });
    const actionId = await insertAction(db.pool, {
      type: "EXPAND_CONTENT",
      data: { modId, content: "More." },
    });
    await db.pool.query("select autoexec.approve_action($1)", [actionId]);
    const outcome = (await executeAction(engine(), actionId)) as { executionLogId: number };
    const query = `query ($id: BigInt!) { rollbackPreview(executionLogId: $id) { possible reason conflicts before after } }`;
    const ask = async () =>
      (await api.graphql(query, { id: String(outcome.executionLogId) }, viewer)).body.data?.rollbackPreview;

    expect(await ask()).toEqual({
      possible: true,
      reason: null,
      conflicts: [],
      before: { body: "Original body.\n\nMore." },
      after: { body: "Original body." },
    });
    await db.pool.query("update content.mods set body = body || E'\\n\\nEditor.' where id = $1", [modId]);
    expect(await ask()).toEqual({
      possible: true,
      reason: null,
      conflicts: [
        `body of mod ${modId} changed since the execution: it was "Original body.\\n\\nMore.", it is now "Original body.\\n\\nMore.\\n\\nEditor."`,
      ],
      before: { body: "Original body.\n\nMore.\n\nEditor." },
      after: { body: "Original body.\n\nEditor." },
    });
    const { rows } = await db.pool.query("select body from content.mods where id = $1", [modId]);
    expect(rows[0].body).toBe("Original body.\n\nMore.\n\nEditor.");
  });
});
