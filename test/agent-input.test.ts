import { beforeEach, describe, expect, it } from "vitest";
import { executeAction } from "../src/engine/executor.ts";
import { handlers } from "../src/handlers/index.ts";
import type { ActionHandler } from "../src/handlers/types.ts";
import { type AgentRow, agentRefusal, insertRowAsAgent } from "./support/agent.ts";
import { databaseForTests } from "./support/db.ts";
import { getAction, insertCollection, insertMod, resetEngine } from "./support/fixtures.ts";

// The agent is untrusted input (issue 12 points 1, 2, 3, 9): every value it writes is parsed once, at
// INSERT, into canonical values, or refused there with a message that names the problem.

const db = databaseForTests();

// failures_before_cooldown 5: the test of data failures counts four of them.
beforeEach(() =>
  resetEngine(db.pool, {
    enabled: true,
    dry_run: false,
    hourly_limit: 1000,
    daily_limit: 1000,
    failures_before_cooldown: 5,
  }),
);

const run = (actionId: number, handlerMap = handlers) =>
  executeAction({ pool: db.pool, handlers: handlerMap, log: db.log }, actionId);

const insertAsAgent = (row: AgentRow) => insertRowAsAgent(db.pool, row);
const refusal = (row: AgentRow) => agentRefusal(db.pool, row);

const link = (modIdSpelling: string) =>
  `{"modId": ${modIdSpelling}, "affiliateUrl": "https://www.amazon.com/dp/B0TEST?tag=musthavemods", "affiliateType": "amazon"}`;

async function affiliateLinks(modId: number): Promise<unknown[]> {
  const { rows } = await db.pool.query("select affiliate_links from content.mods where id = $1", [modId]);
  return rows[0].affiliate_links;
}

describe("ids in every spelling (point 1)", () => {
  it.each(["4.0", "4.00", "40e-1", "0.4e1", "4E0"])(
    "modId %s is mod 4 for the recent-edit guard, the lock and the handler",
    async (spelling) => {
      await db.pool.query("select setval(pg_get_serial_sequence('content.mods', 'id'), 3)");
      const modId = await insertMod(db.pool, { editedHoursAgo: 0 });
      expect(modId).toBe(4);
      const id = await insertAsAgent({ json: link(spelling) });
      expect(await run(id)).toMatchObject({ outcome: "not_now", decision: "defer" });
      expect((await getAction(db.pool, id)).status_reason).toMatch(
        /^mod 4 was edited at .* to avoid conflicts$/,
      );
      expect(await affiliateLinks(modId)).toEqual([]);
      const { rows } = await db.pool.query(
        "select mod_id, action_data -> 'modId' as spelled from autoexec.actions",
      );
      expect(rows[0]).toEqual({ mod_id: 4, spelled: 4 });
    },
  );

  it.each([
    ["4.000000000000000001", "a whole number"],
    ["4.5", "a whole number"],
    ["0", "from 1 to 9007199254740991"],
    ["-4", "from 1 to 9007199254740991"],
    ["9007199254740992", "from 1 to 9007199254740991"],
    ["1e400", "from 1 to 9007199254740991"],
  ])("modId %s is refused at INSERT (%s)", async (spelling, expected) => {
    const { code, message } = await refusal({ json: link(spelling) });
    expect(code).toBe("AE001");
    expect(message).toContain("action_data.modId must be");
    expect(message).toContain(expected);
  });

  it("the agent cannot name mod_id itself, and a handler never acts on a mod other than the guarded one", async () => {
    const client = await db.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local role autoexec_agent");
      const error = await client
        .query(
          `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, mod_id)
           values ('ADD_AFFILIATE_LINK', $1, 0.9, 5, 1)`,
          [link("2")],
        )
        .catch((caught: Error) => caught);
      expect((error as Error).message).toBe("permission denied for table actions");
    } finally {
      await client.query("rollback");
      client.release();
    }
    // An action from before mod_id existed, whose modId the old rule did not read (4.0).
    const modId = await insertMod(db.pool, { editedHoursAgo: 0 });
    const id = await insertAsAgent({ json: link(String(modId)) });
    await db.pool.query("update autoexec.actions set mod_id = null where id = $1", [id]);
    expect(await run(id)).toMatchObject({
      outcome: "invalid",
      reason: `modId ${modId} is not the mod the engine guarded (none); propose the action again`,
    });
    expect(await affiliateLinks(modId)).toEqual([]);
  });

  it("every id field of every type is canonical: collectionId and each of modIds", async () => {
    const collection = await insertAsAgent({
      type: "ADD_TO_COLLECTION",
      json: '{"modId": 2.0, "collectionId": 70e-1}',
    });
    const page = await insertAsAgent({
      type: "CREATE_COLLECTION_PAGE",
      json: '{"slug": "s", "title": "T", "description": "", "modIds": [1.0, 20e-1, 3]}',
    });
    const { rows } = await db.pool.query("select id, action_data, mod_id from autoexec.actions order by id");
    expect(rows).toEqual([
      { id: collection, action_data: { modId: 2, collectionId: 7 }, mod_id: 2 },
      {
        id: page,
        action_data: { slug: "s", title: "T", description: "", modIds: [1, 2, 3] },
        mod_id: null,
      },
    ]);
    for (const [type, json] of [
      ["ADD_TO_COLLECTION", '{"modId": 2, "collectionId": 7.5}'],
      ["CREATE_COLLECTION_PAGE", '{"slug": "s", "title": "T", "description": "", "modIds": [1, 2.5]}'],
    ] as const) {
      const { message } = await refusal({ type, json });
      expect(message).toMatch(/^action_data\.(collectionId|modIds\[1\]) must be/);
    }
  });

  it("the catalogue's id fields are exactly the handlers' id fields", async () => {
    const { rows } = await db.pool.query<{ type: string; action_data_ids: Record<string, string> }>(
      "select type, action_data_ids from autoexec.action_types where tier < 3 order by type",
    );
    const { contentId } = await import("../src/handlers/fields.ts");
    for (const { type, action_data_ids } of rows) {
      const handler = handlers.get(type) as ActionHandler;
      const shape = (handler.schema as unknown as { shape: Record<string, unknown> }).shape;
      const fromSchema = Object.fromEntries(
        Object.entries(shape).flatMap(([field, schema]) => {
          if (schema === contentId) return [[field, "one"]];
          const element = (schema as { element?: unknown }).element;
          return element === contentId ? [[field, "list"]] : [];
        }),
      );
      expect({ type, ids: action_data_ids }).toEqual({ type, ids: fromSchema });
    }
  });

  it("accepts exactly the ids the handler's schema accepts", async () => {
    const { contentId } = await import("../src/handlers/fields.ts");
    const spellings = [
      "1",
      "4",
      "4.0",
      "40e-1",
      "9007199254740991",
      "0",
      "-1",
      "4.5",
      "9007199254740992",
      '"4"',
    ];
    for (const spelling of spellings) {
      const database = await insertAsAgent({
        type: "ADD_TO_COLLECTION",
        json: `{"modId": ${spelling}}`,
      }).then(
        () => true,
        () => false,
      );
      const value = JSON.parse(spelling);
      // A string is no id for either, but the database leaves refusing it to the handler (INVALID).
      const handler = typeof value === "string" ? false : contentId.safeParse(value).success;
      expect({ spelling, accepted: database && typeof value !== "string" }).toEqual({
        spelling,
        accepted: handler,
      });
    }
  });
});

describe("length limits on every text the agent writes (point 2)", () => {
  it("a 6,400-character rate_limit_key is refused at INSERT, and does not pause the engine", async () => {
    const modId = await insertMod(db.pool);
    const { code, message } = await refusal({ json: link(String(modId)), rateLimitKey: "k".repeat(6400) });
    expect(code).toBe("AE001");
    expect(message).toBe("rate_limit_key is 6400 characters long; the limit is 200");
    const { rows } = await db.pool.query(
      "select consecutive_failures, cooldown_until from autoexec.engine_state",
    );
    expect(rows[0]).toEqual({ consecutive_failures: 0, cooldown_until: null });
  });

  it.each([
    [
      "idempotency_key",
      { idempotencyKey: "i".repeat(201) },
      "idempotency_key is 201 characters long; the limit is 200",
    ],
    ["type", { type: "T".repeat(65) }, "type is 65 characters long; the limit is 64"],
  ] as const)("%s over its limit is refused with a clear message", async (_name, fields, expected) => {
    expect((await refusal({ json: link("1"), ...fields })).message).toBe(expected);
  });

  it("each string and each key inside action_data has a limit", async () => {
    const long = "x".repeat(20_001);
    expect((await refusal({ type: "CHANGE_URL", json: `{"to": "${long}"}` })).message).toBe(
      "action_data.to is 20001 characters long; the limit is 20000",
    );
    expect((await refusal({ type: "CHANGE_URL", json: `{"a": {"${"k".repeat(65)}": 1}}` })).message).toBe(
      `action_data.a has a key of 65 characters ("${"k".repeat(20)}..."); the limit is 64`,
    );
    expect((await refusal({ type: "CHANGE_URL", json: `{"list": [1, "${long}"]}` })).message).toBe(
      "action_data.list[1] is 20001 characters long; the limit is 20000",
    );
  });

  it("a failure caused by the action's own data ends that action at once, counting once", async () => {
    // A handler whose statement fails on its data (SQLSTATE class 22, data exception) every time.
    const dataFailing = new Map(handlers);
    const real = handlers.get("ADD_AFFILIATE_LINK") as ActionHandler;
    dataFailing.set("ADD_AFFILIATE_LINK", {
      ...real,
      async execute(ctx) {
        await ctx.db.query("select repeat('x', 3)::varchar(2)::char(1)::int");
        throw new Error("unreachable");
      },
    });
    for (let index = 0; index < 4; index++) {
      const modId = await insertMod(db.pool);
      const id = await insertAsAgent({ json: link(String(modId)) });
      expect(await run(id, dataFailing)).toMatchObject({ outcome: "invalid" });
      expect(await getAction(db.pool, id)).toMatchObject({
        status: "INVALID",
        status_reason: expect.stringMatching(
          /^the database refused this action's data: invalid input syntax/,
        ),
      });
    }
    const { rows } = await db.pool.query(
      "select consecutive_failures, cooldown_until from autoexec.engine_state",
    );
    // Four actions, one failed attempt each: four ordinary failures, not twelve, and no retry.
    expect(rows[0]).toEqual({ consecutive_failures: 4, cooldown_until: null });
    const { rows: logs } = await db.pool.query("select count(*)::int as n from autoexec.execution_logs");
    expect(logs[0].n).toBe(4);
  });
});

describe("non-finite numbers (point 3)", () => {
  it.each([
    ["estimated_revenue_impact", { impact: "NaN" }],
    ["estimated_revenue_impact", { impact: "Infinity" }],
    ["estimated_revenue_impact", { impact: "-Infinity" }],
    ["confidence", { confidence: "NaN" }],
    ["confidence", { confidence: "Infinity" }],
  ] as const)("%s of %o is refused at INSERT", async (column, fields) => {
    const { code, message } = await refusal({ json: link("1"), ...fields });
    expect(code).toBe("AE001");
    expect(message).toMatch(new RegExp(`^${column} must be a finite number`));
  });
});

describe("numbers inside action_data and expires_at", () => {
  it("a number beyond a double is refused, as is an infinite expires_at", async () => {
    expect((await refusal({ type: "CHANGE_URL", json: '{"x": 1e400}' })).message).toBe(
      "action_data.x is a number too large for a double (10000000000000000000...)",
    );
    for (const value of ["infinity", "-infinity"]) {
      const client = await db.pool.connect();
      try {
        await client.query("begin");
        await client.query("set local role autoexec_agent");
        const error = await client
          .query(
            `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, expires_at)
             values ('CHANGE_URL', '{}', 0.9, 1, $1)`,
            [value],
          )
          .catch((caught: Error) => caught);
        expect((error as Error).message).toBe(
          `expires_at must be a point in time (or null for never), got ${value}`,
        );
      } finally {
        await client.query("rollback");
        client.release();
      }
    }
  });
});

describe("content rules (point 9)", () => {
  const refusedCharacters: [string, string][] = [
    ["U+2028 line separator", "\u2028"],
    ["U+2029 paragraph separator", "\u2029"],
    ["U+0085 next line", "\u0085"],
    ["U+202E right-to-left override", "\u202e"],
    ["U+2066 left-to-right isolate", "\u2066"],
    ["U+200F right-to-left mark", "\u200f"],
    ["U+0007 bell", "\u0007"],
    ["U+001B escape", "\u001b"],
    ["U+007F delete", "\u007f"],
  ];
  it.each(refusedCharacters)(
    "%s is refused in any string of action_data at INSERT",
    async (name, character) => {
      const json = JSON.stringify({ modId: 1, metaDescription: `Fine${character}text` });
      const { message } = await refusal({ type: "UPDATE_META_DESCRIPTION", json });
      expect(message).toBe(
        `action_data.metaDescription contains a control or bidirectional character (${name.split(" ")[0]}) at character 5`,
      );
    },
  );

  it("the database and the handlers refuse exactly the same characters", async () => {
    const { HIDDEN_CHARACTERS } = await import("../src/handlers/fields.ts");
    const { rows } = await db.pool.query<{ refused: number[] }>(
      `select array_agg(cp order by cp) as refused from generate_series(1, 65535) cp
       where cp not between 55296 and 57343 and autoexec_private.hidden_character_at(chr(cp)) > 0`,
    );
    const refusedByHandlers = [];
    for (let cp = 1; cp <= 65_535; cp++) {
      if ((cp < 0xd800 || cp > 0xdfff) && HIDDEN_CHARACTERS.test(String.fromCodePoint(cp)))
        refusedByHandlers.push(cp);
    }
    expect(rows[0]?.refused).toEqual(refusedByHandlers);
    expect(refusedByHandlers).toEqual(expect.arrayContaining([0x85, 0x2028, 0x2029, 0x202e]));
  });

  it("a control character in a key or in rate_limit_key is refused too", async () => {
    expect((await refusal({ type: "CHANGE_URL", json: '{"a\\u202eb": 1}' })).message).toMatch(
      /^action_data has a key that contains a control or bidirectional character \(U\+202E\)/,
    );
    expect((await refusal({ json: link("1"), rateLimitKey: "mod:1\u2028" })).message).toMatch(
      /^rate_limit_key contains a control or bidirectional character \(U\+2028\)/,
    );
  });

  it("20 levels are accepted, 21 refused, and brackets inside strings do not count", async () => {
    const nested = (levels: number) => `${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}`;
    await insertAsAgent({ type: "CHANGE_URL", json: `{"a": ${nested(20)}, "b": "${"[{".repeat(30)}\\"["}` });
    expect((await refusal({ type: "CHANGE_URL", json: `{"a": ${nested(21)}}` })).message).toBe(
      "action_data is nested more than 20 levels deep",
    );
  });

  it("action_data nested 20,000 levels deep is refused naming the depth", async () => {
    const json = `{"a": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const { code, message } = await refusal({ type: "CHANGE_URL", json });
    expect(code).toBe("AE001");
    expect(message).toBe("action_data is nested more than 20 levels deep");
  });

  it.each([
    [
      "affiliateType must be the network of the link's host",
      "https://www.ea.com/games/the-sims/store/sims-4",
      "amazon",
      "affiliateType amazon is not the network of www.ea.com (ea)",
    ],
    [
      "affiliateType <script> never reaches a mod",
      "https://www.amazon.com/dp/B0TEST?tag=musthavemods",
      "<script>alert(1)</script>",
      "affiliateType: affiliateType must be a network name such as amazon or steam",
    ],
  ])("%s", async (_rule, affiliateUrl, affiliateType, reason) => {
    const modId = await insertMod(db.pool);
    const id = await insertAsAgent({ json: JSON.stringify({ modId, affiliateUrl, affiliateType }) });
    expect(await run(id)).toMatchObject({ outcome: "invalid", reason });
    expect(await affiliateLinks(modId)).toEqual([]);
  });

  const schemaRules: [string, string, Record<string, unknown>, string][] = [
    [
      "ADD_AFFILIATE_LINK",
      "affiliateType that is no network name",
      { affiliateType: "Amazon Prime" },
      "affiliateType",
    ],
    [
      "ADD_AFFILIATE_LINK",
      "a tab inside affiliateUrl",
      { affiliateUrl: "https://www.amazon.com/dp/B0\t?tag=musthavemods" },
      "affiliateUrl",
    ],
    [
      "ADD_AFFILIATE_LINK",
      "a space inside affiliateUrl",
      { affiliateUrl: "https://www.amazon.com/dp/B0 ?tag=musthavemods" },
      "affiliateUrl",
    ],
    [
      "ADD_AFFILIATE_LINK",
      "a non-ASCII affiliateUrl",
      { affiliateUrl: "https://www.amazon.com/dp/B0é?tag=musthavemods" },
      "affiliateUrl",
    ],
    ["UPDATE_META_DESCRIPTION", "a newline", { metaDescription: "one\ntwo" }, "metaDescription"],
    ["UPDATE_META_DESCRIPTION", "U+2028", { metaDescription: "one\u2028two" }, "metaDescription"],
    ["UPDATE_META_DESCRIPTION", "U+0085", { metaDescription: "one\u0085two" }, "metaDescription"],
    ["UPDATE_META_DESCRIPTION", "U+202E", { metaDescription: "one\u202etwo" }, "metaDescription"],
    ["UPDATE_META_DESCRIPTION", "HTML", { metaDescription: "<b>bold</b>" }, "metaDescription"],
    ["EXPAND_CONTENT", "HTML", { content: "Nice <script>alert(1)</script>" }, "content"],
    ["EXPAND_CONTENT", "U+202E", { content: "Nice \u202e text" }, "content"],
    // A tag the text never closes is still one: the browser ends it at the page's next ">".
    [
      "UPDATE_META_DESCRIPTION",
      "an unclosed tag",
      { metaDescription: "Nice <img src=x onerror=alert(1)" },
      "metaDescription",
    ],
    ["EXPAND_CONTENT", "an unclosed tag", { content: "Nice <svg onload=alert(1)" }, "content"],
    ["EXPAND_CONTENT", "a javascript: link", { content: "[Download](javascript:alert(1))" }, "content"],
    [
      "EXPAND_CONTENT",
      "a link spelt with a character reference",
      { content: "[Download](&#106;avascript:alert(1))" },
      "content",
    ],
    [
      "CREATE_COLLECTION_PAGE",
      "a vbscript: link in the description",
      { description: "[x](VBScript:msgbox)" },
      "description",
    ],
    ["CREATE_COLLECTION_PAGE", "HTML in the title", { title: "<i>Best</i>" }, "title"],
    ["CREATE_COLLECTION_PAGE", "a newline in the title", { title: "Best\nmods" }, "title"],
    [
      "CREATE_COLLECTION_PAGE",
      "HTML in the description",
      { description: '<a href="x">x</a>' },
      "description",
    ],
    ["CREATE_COLLECTION_PAGE", "U+2029 in the description", { description: "a\u2029b" }, "description"],
    ["ADD_AD_SLOT", "a position outside the pattern", { position: "TOP" }, "position"],
    ["ADD_AD_SLOT", "a format with HTML", { format: "<b>x</b>" }, "format"],
    ["ADD_AFFILIATE_LINK", "a position outside the list", { position: "popup" }, "position"],
    ["EXPAND_CONTENT", "a placement outside the list", { placement: "middle" }, "placement"],
    ["CREATE_COLLECTION_PAGE", "a slug with capitals", { slug: "Best-Mods" }, "slug"],
    ["CREATE_COLLECTION_PAGE", "a repeated mod", { modIds: [1, 1] }, "modIds"],
    ["CREATE_COLLECTION_PAGE", "no mods", { modIds: [] }, "modIds"],
    ["ADD_TO_COLLECTION", "a position beyond an integer", { position: 2_147_483_648 }, "position"],
    ["GENERATE_INTERNAL_LINK_SUGGESTIONS", "21 suggestions", { maxSuggestions: 21 }, "maxSuggestions"],
  ];
  const valid: Record<string, Record<string, unknown>> = {
    ADD_AFFILIATE_LINK: {
      modId: 1,
      affiliateUrl: "https://www.amazon.com/dp/B0?tag=musthavemods",
      affiliateType: "amazon",
    },
    UPDATE_META_DESCRIPTION: { modId: 1, metaDescription: "Fine." },
    EXPAND_CONTENT: { modId: 1, content: "## Fine\nText." },
    CREATE_COLLECTION_PAGE: { slug: "s", title: "T", description: "D", modIds: [1] },
    ADD_AD_SLOT: { modId: 1, position: "top", format: "banner" },
    ADD_TO_COLLECTION: { modId: 1, collectionId: 1, position: 3 },
    GENERATE_INTERNAL_LINK_SUGGESTIONS: { modId: 1, maxSuggestions: 20 },
  };
  it.each(schemaRules)("%s: %s is refused by its schema", (type, _rule, change, field) => {
    const schema = (handlers.get(type) as ActionHandler).schema;
    expect(schema.safeParse(valid[type]).success).toBe(true);
    const parsed = schema.safeParse({ ...valid[type], ...change });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
  });

  it("a collection id of every spelling names the same collection for the handler", async () => {
    const modId = await insertMod(db.pool);
    const collectionId = await insertCollection(db.pool);
    const id = await insertAsAgent({
      type: "ADD_TO_COLLECTION",
      json: `{"modId": ${modId}.0, "collectionId": ${collectionId}e0}`,
    });
    expect(await run(id)).toMatchObject({ outcome: "executed", mode: "live" });
  });
});
