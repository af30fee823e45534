import { type DocumentNode, print } from "postgraphile/graphql";
import { afterAll, beforeAll, expect, it } from "vitest";
import { committedSchema, documentProblems, uiDocuments } from "../scripts/ui-documents.ts";
import { SETTINGS_PAGE } from "../web/src/queries.ts";
import { SAVE_SETTINGS } from "../web/src/settings-save.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { createTestApi, type TestApi } from "./support/http.ts";

// What the admin UI's documents answer on the real server, where the type-check cannot see it.
let db: TestDatabase;
let api: TestApi;
let admin: string;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await createTestApi(db);
  admin = await api.token("admin", "alice");
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const text = (document: DocumentNode | string) => (typeof document === "string" ? document : print(document));

async function data(document: DocumentNode | string, variables: Record<string, unknown> = {}) {
  const { body } = await api.graphql(text(document), variables, admin);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as Record<string, Record<string, Record<string, unknown>>>;
}

it("a save answers every setting the settings page shows, so the form it refills has them all", async () => {
  const page = await data(SETTINGS_PAGE);
  const saved = await data(SAVE_SETTINGS, { changes: { hourly_limit: 11 }, types: [], reason: null });
  const shown = page.currentSettings as Record<string, unknown>;
  const answered = saved.saveSettings?.result as Record<string, unknown>;
  expect(Object.keys(answered).sort()).toEqual(Object.keys(shown).sort());
  expect(answered).toEqual({ ...shown, hourlyLimit: 11, updatedAt: answered.updatedAt });
});

it("every document of the UI is valid against the schema, and a renamed field is caught", async () => {
  const sdl = await committedSchema();
  expect(uiDocuments().length).toBeGreaterThan(20);
  expect(documentProblems(sdl)).toEqual([]);
  // What `npm run type-check` would say if ActionType.dailyCap were renamed: tsc alone says nothing.
  const renamed = sdl.replace(/^(\s+)dailyCap: Int$/m, "$1dailyLimit: Int");
  expect(renamed).not.toBe(sdl);
  expect(documentProblems(renamed)).toContain(
    'queries.ACTION_TYPES: Cannot query field "dailyCap" on type "ActionType".',
  );
});
