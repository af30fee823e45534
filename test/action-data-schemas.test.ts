import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { withTransaction } from "../src/db/pool.ts";
import { handlers } from "../src/handlers/index.ts";
import { actionDataJsonSchema } from "../src/handlers/json-schema.ts";
import { databaseForTests } from "./support/db.ts";

// The JSON Schemas agents validate with must say what the handlers say: accept what the handler's
// zod schema accepts and refuse what it refuses, on one sample set built from each type's valid
// example and systematic breakages of it (every property missing, mistyped, out of range, …).
const DIR = path.resolve(import.meta.dirname, "../sql/action-data-schemas");

const VALID: Record<string, Record<string, unknown>> = {
  ADD_AFFILIATE_LINK: {
    modId: 1,
    affiliateUrl: "https://www.amazon.com/dp/B0?tag=x",
    affiliateType: "amazon",
  },
  UPDATE_META_DESCRIPTION: { modId: 1, metaDescription: "A short plain description." },
  ADD_TO_COLLECTION: { modId: 1, collectionId: 2, position: 3 },
  GENERATE_INTERNAL_LINK_SUGGESTIONS: { modId: 1, maxSuggestions: 5 },
  EXPAND_CONTENT: { modId: 1, content: "More text.", placement: "start" },
  ADD_AD_SLOT: { modId: 1, position: "sidebar", format: "banner" },
  CREATE_COLLECTION_PAGE: { slug: "best-mods", title: "Best mods", description: "", modIds: [1, 2] },
};

interface PropertySchema {
  type?: string;
  maxLength?: number;
  maximum?: number;
  maxItems?: number;
  enum?: unknown[];
}

/** The valid example, then each property broken in every way that applies to its type. */
function samples(type: string, schema: { properties: Record<string, PropertySchema> }): unknown[] {
  const valid = VALID[type] as Record<string, unknown>;
  const out: unknown[] = [valid, { ...valid, extra: 1 }, null, [], "text", {}];
  const withValue = (name: string, value: unknown) => ({ ...valid, [name]: value });
  for (const [name, property] of Object.entries(schema.properties)) {
    const { [name]: _dropped, ...without } = valid;
    out.push(without, withValue(name, null), withValue(name, true), withValue(name, { nested: 1 }));
    if (property.type === "integer") {
      out.push(
        ...[0, -1, 1, 1.5, "1", 2 ** 53, 2_147_483_648, property.maximum].map((v) => withValue(name, v)),
      );
    }
    if (property.type === "string") {
      const max = property.maxLength ?? 50;
      out.push(
        ...[
          "",
          "   ",
          " padded ",
          "a".repeat(max),
          "a".repeat(max + 1),
          7,
          "<b>bold</b>",
          "a\nb",
          "tab\there",
        ].map((v) => withValue(name, v)),
      );
    }
    if (property.enum) out.push(...[...property.enum, "nope"].map((v) => withValue(name, v)));
    if (property.type === "array") {
      const max = property.maxItems ?? 10;
      out.push(
        ...[
          [],
          [1, 1],
          [1, 2],
          [0],
          ["1"],
          Array.from({ length: max }, (_, i) => i + 1),
          Array.from({ length: max + 1 }, (_, i) => i + 1),
        ].map((v) => withValue(name, v)),
      );
    }
  }
  return out;
}

const db = databaseForTests();

describe("action_data JSON Schemas", () => {
  it.each([...handlers.values()].map((handler) => [handler.type, handler] as const))(
    "%s: the schema accepts exactly what the handler accepts, on the same samples",
    (type, handler) => {
      const schema = actionDataJsonSchema(handler) as { properties: Record<string, PropertySchema> };
      const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
      const set = samples(type, schema);
      const verdicts = set.map((sample) => ({
        sample: JSON.stringify(sample),
        handler: handler.schema.safeParse(sample).success,
        schema: validate(sample),
      }));
      expect(verdicts.filter((v) => v.handler !== v.schema)).toEqual([]);
      // Not a vacuous set: some of each.
      expect(verdicts.filter((v) => v.handler).length).toBeGreaterThanOrEqual(2);
      expect(verdicts.filter((v) => !v.handler).length).toBeGreaterThanOrEqual(10);
    },
  );

  it("the files in sql/action-data-schemas are what the handlers generate (npm run schemas)", async () => {
    for (const handler of handlers.values()) {
      const file = JSON.parse(await readFile(path.join(DIR, `${handler.type}.schema.json`), "utf8"));
      expect(file, handler.type).toEqual(actionDataJsonSchema(handler));
    }
  });

  it("migrate loads them into autoexec.action_types.data_schema, readable by the agent", async () => {
    const { rows } = await withTransaction(db.pool, async (client) => {
      await client.query("set local role autoexec_agent");
      return client.query<{ type: string; data_schema: unknown }>(
        "select type, data_schema from autoexec.action_types order by type",
      );
    });
    for (const row of rows) {
      const handler = handlers.get(row.type);
      expect(row.data_schema, row.type).toEqual(handler ? actionDataJsonSchema(handler) : null);
    }
    expect(rows.filter((row) => row.data_schema !== null).length).toBe(handlers.size);
  });
});
