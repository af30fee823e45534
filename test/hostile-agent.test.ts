import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentRow, insertRowAsAgent } from "./support/agent.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import {
  amazonLink,
  backdateExecutions,
  goLive,
  hoursAgo,
  insertCollection,
  insertMod,
} from "./support/fixtures.ts";
import { signedIn } from "./support/roles.ts";
import { waitFor } from "./support/wait.ts";
import { spawnWorker, stopWorker, type WorkerProcess, waitForListeners } from "./support/worker-process.ts";

// The agent as an attacker (issue 12, "The suite"): hundreds of generated and hand-written hostile
// rows, inserted as autoexec_agent against live settings (the default thresholds and limits) while
// real worker processes execute. Every row is refused at INSERT or ends with a reason; nothing it
// writes bypasses a guard, changes content, crashes a worker or pauses the engine for the next action.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a hostile row must come to. */
type Expectation =
  /** refused at INSERT, or accepted and then ended (INVALID, FAILED, EXPIRED, REJECTED) with a reason */
  | "refused_or_ended"
  /** accepted and held back by a guard, with a reason, never executed */
  | "held";

interface HostileRow extends AgentRow {
  what: string;
  expect: Expectation;
}

const MISSING_MOD = 987_654_321;
const TERMINAL = ["INVALID", "FAILED", "EXPIRED", "REJECTED"];

/** Values of the wrong JSON type, of hostile size and shape, and with hostile characters. */
const hostileValues: [string, Json][] = [
  ["null", null],
  ["true", true],
  ["an empty list", []],
  ["an object", { nested: { deeper: 1 } }],
  ["the number 123", 123],
  ["minus one", -1],
  ["an empty string", ""],
  ["only spaces", "   "],
  ["20,001 characters", "x".repeat(20_001)],
  ["19,000 characters", "y".repeat(19_000)],
  ["25 levels of lists", JSON.parse(`${"[".repeat(25)}${"]".repeat(25)}`)],
  ["U+202E", "abc\u202egnp.exe"],
  ["U+2028", "one\u2028two"],
  ["U+0085", "one\u0085two"],
  ["a bell", "ding\u0007"],
  ["a lone surrogate", "\ud800"],
  ["a zero-width space and emoji", "ok\u200b🙂"],
  ["SQL", "'; drop table content.mods; --"],
  ["a dollar-quoted SQL string", "$$ || pg_sleep(10) || $$"],
  ["HTML", "<script>alert(document.cookie)</script>"],
  ["an HTML entity trick", "&lt;img src=x onerror=alert(1)&gt;<img src=x onerror=alert(1)>"],
  ["a javascript: URL", "javascript:alert(1)"],
  ["a huge number", 1e308],
  ["a fraction", 0.5],
];

/** Each Tier 1 and Tier 2 type with data that would be valid, but names a mod that does not exist. */
const baseData: Record<string, Record<string, Json>> = {
  ADD_AFFILIATE_LINK: { ...amazonLink(MISSING_MOD), position: "sidebar" },
  UPDATE_META_DESCRIPTION: { modId: MISSING_MOD, metaDescription: "Plain, short and true." },
  ADD_TO_COLLECTION: { modId: MISSING_MOD, collectionId: 1, position: 0 },
  GENERATE_INTERNAL_LINK_SUGGESTIONS: { modId: MISSING_MOD, maxSuggestions: 5 },
  EXPAND_CONTENT: { modId: MISSING_MOD, content: "More words.", placement: "end" },
  ADD_AD_SLOT: { modId: MISSING_MOD, position: "top", format: "banner" },
  CREATE_COLLECTION_PAGE: { slug: "hostile-page", title: "Hostile", description: "", modIds: [MISSING_MOD] },
};

const row = (what: string, type: string, data: Json, fields: Partial<HostileRow> = {}): HostileRow => ({
  what,
  type,
  json: JSON.stringify(data),
  expect: "refused_or_ended",
  ...fields,
});

/**
 * Every field of every executable type replaced by every hostile value, each field left out, and
 * extra keys added. The base names a missing mod, so a row that gets past its schema still ends
 * INVALID ("mod ... not found") and none can change content.
 */
function generatedRows(): HostileRow[] {
  const rows: HostileRow[] = [];
  for (const [type, base] of Object.entries(baseData)) {
    for (const field of Object.keys(base)) {
      for (const [name, value] of hostileValues) {
        rows.push(row(`${type}.${field} = ${name}`, type, { ...base, [field]: value }));
      }
      const { [field]: _left, ...missing } = base;
      rows.push(row(`${type} without ${field}`, type, missing));
    }
    for (const extra of ["__proto__", "constructor", "status", "modid", "k".repeat(65)]) {
      rows.push(
        row(`${type} with an extra key ${extra.slice(0, 12)}`, type, {
          ...base,
          [extra]: { polluted: true },
        }),
      );
    }
  }
  return rows;
}

/** Hand-written rows for the columns beside action_data, ids, URLs and the guards. */
function handWrittenRows(ids: { fresh: number; linked: number; hot: number }): HostileRow[] {
  const link = amazonLink(ids.linked);
  const fresh = amazonLink(ids.fresh);
  const withModId = (spelling: string) =>
    JSON.stringify(fresh).replace(`"modId":${ids.fresh}`, `"modId":${spelling}`);
  return [
    // Ids in every spelling: the recent-edit guard holds for each, or the INSERT refuses it.
    ...[
      `${ids.fresh}.0`,
      `${ids.fresh}.00`,
      `${ids.fresh}0e-1`,
      `${ids.fresh}E0`,
      `${ids.fresh}e+0`,
      `${ids.fresh}00e-2`,
    ].map(
      (spelling): HostileRow => ({ what: `modId ${spelling}`, json: withModId(spelling), expect: "held" }),
    ),
    ...[
      `${ids.fresh}.000000000000000001`,
      `${ids.fresh}.5`,
      "0",
      "-0",
      `-${ids.fresh}`,
      "9007199254740993",
      "1e400",
    ].map(
      (spelling): HostileRow => ({
        what: `modId ${spelling}`,
        json: withModId(spelling),
        expect: "refused_or_ended",
      }),
    ),
    ...[`"${ids.fresh}"`, `["${ids.fresh}"]`, `{"id": ${ids.fresh}}`].map(
      (spelling): HostileRow => ({
        what: `modId ${spelling}`,
        json: withModId(spelling),
        expect: "refused_or_ended",
      }),
    ),
    // Thresholds in every spelling: none is above the minimum, so each waits for an admin.
    ...["0.7", "0.70", "7e-1", "0.7000000000000000000", "0"].map(
      (confidence): HostileRow => ({
        what: `confidence ${confidence}`,
        json: JSON.stringify(amazonLink(ids.linked, "B0THRESHOLD")),
        confidence,
        expect: "held",
      }),
    ),
    ...["0.1", "0.10", "1e-1", "0"].map(
      (impact): HostileRow => ({
        what: `impact ${impact}`,
        json: JSON.stringify(amazonLink(ids.linked, "B0IMPACT")),
        impact,
        expect: "held",
      }),
    ),
    ...["NaN", "Infinity", "-Infinity", "1.0000001", "-0.1"].map(
      (confidence): HostileRow => ({
        what: `confidence ${confidence}`,
        json: JSON.stringify(link),
        confidence,
        expect: "refused_or_ended",
      }),
    ),
    ...["NaN", "Infinity", "-Infinity", "-1"].map(
      (impact): HostileRow => ({
        what: `impact ${impact}`,
        json: JSON.stringify(link),
        impact,
        expect: "refused_or_ended",
      }),
    ),
    // The per-key limit holds for a hot key (already used up).
    ...[1, 2, 3].map(
      (n): HostileRow => ({
        what: `rate_limit_key used up (${n})`,
        json: JSON.stringify(amazonLink(ids.hot, `B0HOT${n}`)),
        rateLimitKey: "mod:hot",
        expect: "held",
      }),
    ),
    // The other columns.
    ...[
      ["a 6,400-character rate_limit_key", { rateLimitKey: "k".repeat(6400) }],
      ["a rate_limit_key with U+2028", { rateLimitKey: "mod:1\u2028" }],
      ["a rate_limit_key with NUL", { rateLimitKey: "mod:\u0000" }],
      ["a 201-character idempotency_key", { idempotencyKey: "i".repeat(201) }],
      ["an idempotency_key with U+202E", { idempotencyKey: "run\u202e1" }],
      ["a lower-case type", { type: "add_affiliate_link" }],
      ["a type with a trailing space", { type: "ADD_AFFILIATE_LINK " }],
      ["a 65-character type", { type: "A".repeat(65) }],
      ["a type with SQL", { type: "ADD_AFFILIATE_LINK'; --" }],
    ].map(([what, fields]) => ({
      what: what as string,
      json: JSON.stringify(link),
      expect: "refused_or_ended" as const,
      ...(fields as object),
    })),
    // action_data as a whole.
    ...[
      ["action_data a list", "[1, 2]"],
      ["action_data a string", '"modId"'],
      ["action_data null", "null"],
      ["action_data of 70,000 bytes", JSON.stringify({ ...link, pad: "p".repeat(70_000) })],
      ["action_data nested 20,000 levels", `{"modId": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`],
      ["action_data with a NUL escape", JSON.stringify({ ...link, affiliateType: "a\u0000" })],
      [
        "action_data with a duplicated modId",
        `{"modId": ${ids.linked}, "modId": ${MISSING_MOD}, "affiliateUrl": "${link.affiliateUrl}", "affiliateType": "amazon"}`,
      ],
    ].map(([what, json]) => ({
      what: what as string,
      json: json as string,
      expect: "refused_or_ended" as const,
    })),
    // URL tricks against the allowlist, on a real mod: each ends INVALID.
    ...[
      "https://evil.example/?amazon.com&tag=musthavemods",
      "https://www.amazon.com.evil.example/dp/X?tag=musthavemods",
      "https://www.amazon.com@evil.example/dp/X?tag=musthavemods",
      "https://user:pw@www.amazon.com/dp/X?tag=musthavemods",
      "https://www.amazon.com:8443/dp/X?tag=musthavemods",
      "http://www.amazon.com/dp/X?tag=musthavemods",
      "https://www.amazon.com/dp/X?tag=musthavemods&tag=someone-else",
      "https://www.amazon.com/dp/X?tag=someone-else",
      "https://www.amazon.com/dp/X",
      "https://www.аmazon.com/dp/X?tag=musthavemods",
      "https://xn--mazon-3ve.com/dp/X?tag=musthavemods",
      "https://www.amazon.com/dp/X\n?tag=musthavemods",
      "https://www.amazon.com\t/dp/X?tag=musthavemods",
      "https://www.ea.com/games/sims?tag=musthavemods",
      "https://ea.com/../store?x=1",
      "//www.amazon.com/dp/X?tag=musthavemods",
      "data:text/html,<script>alert(1)</script>",
      "https://www.amazon.com%2e.evil.example/dp/X?tag=musthavemods",
    ].map((affiliateUrl) =>
      row(`affiliateUrl ${affiliateUrl.slice(0, 40)}`, "ADD_AFFILIATE_LINK", { ...link, affiliateUrl }),
    ),
    // Tier 3 rows are recorded for a person and never executed, whatever they say.
    row(
      "a Tier 3 row with SQL",
      "CHANGE_PRICING",
      { product: "'; update content.mods set title = 'x'; --" },
      { expect: "held" },
    ),
    row("a Tier 3 row with a bidi override", "REMOVE_CONTENT", { modId: ids.linked, reason: "dup\u202e" }),
  ];
}

let db: TestDatabase;
let workers: WorkerProcess[] = [];
const ids = { fresh: 0, linked: 0, hot: 0, good: 0 };
let contentBefore: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  await insertCollection(db.pool);
  ids.fresh = await insertMod(db.pool, { editedHoursAgo: 0 });
  ids.linked = await insertMod(db.pool, { affiliateLinks: [{ url: amazonLink(0).affiliateUrl }] });
  ids.hot = await insertMod(db.pool);
  ids.good = await insertMod(db.pool);
  // The key "mod:hot" has used up its 3 executions per 24 hours.
  await backdateExecutions(db.pool, [hoursAgo(2), hoursAgo(2), hoursAgo(2)], { rateLimitKey: "mod:hot" });
  contentBefore = await contentFingerprint();
  // Live, with the default thresholds, limits, cooldown and breaker.
  await goLive(db.pool);
  workers = [spawnWorker(db.url), spawnWorker(db.url)];
  await waitForListeners(db.pool, workers.length, workers);
});

afterAll(async () => {
  const codes = await Promise.all(workers.map(stopWorker));
  const output = workers.map((worker) => worker.output.join(""));
  await db.drop();
  expect({ codes, output: output.filter((text) => /uncaught|unhandled|fatal/i.test(text)) }).toEqual({
    codes: workers.map(() => 0),
    output: [],
  });
});

/**
 * A fingerprint of every content table but the good action's mod, to prove that no hostile row
 * changed anything.
 */
async function contentFingerprint(): Promise<Record<string, string>> {
  const tables = ["mods", "collections", "collection_mods", "ad_slots", "internal_link_suggestions"];
  const fingerprint: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await db.pool.query(
      `select count(*)::int || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as f
       from content.${table} t where $1::bigint is null or to_jsonb(t) ->> 'id' is distinct from $1::text`,
      [table === "mods" ? ids.good : null],
    );
    fingerprint[table] = rows[0].f;
  }
  return fingerprint;
}

interface Outcome {
  row: HostileRow;
  refused?: string;
  id?: number;
}

/** Ended with a reason, or (when a guard should hold it) waiting with one. */
function isSettled(
  outcome: Outcome,
  states: Map<number, { status: string; status_reason: string | null }>,
): boolean {
  const state = states.get(outcome.id as number);
  return (
    Boolean(state?.status_reason) && (TERMINAL.includes(state?.status ?? "") || outcome.row.expect === "held")
  );
}

describe("hostile agent rows", () => {
  const outcomes: Outcome[] = [];

  it("each row is refused at INSERT with a message, or accepted", async () => {
    const rows = [...generatedRows(), ...handWrittenRows(ids)];
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const hostile of rows) {
      try {
        outcomes.push({ row: hostile, id: await insertRowAsAgent(db.pool, hostile) });
      } catch (error) {
        const { message, code } = error as { message: string; code?: string };
        outcomes.push({ row: hostile, refused: `${code}: ${message}` });
      }
    }
    const refused = outcomes.filter((outcome) => outcome.refused);
    // A refusal names the problem: a data exception or privilege error with a message, never a crash.
    for (const { row: hostile, refused: message } of refused) {
      expect({ what: hostile.what, message }).toEqual({
        what: hostile.what,
        message: expect.stringMatching(/^(22\w{3}|23\w{3}|42501|AE\d{3}): ./),
      });
      expect({ what: hostile.what, expect: hostile.expect }).toEqual({
        what: hostile.what,
        expect: "refused_or_ended",
      });
    }
    console.log(
      `${rows.length} hostile rows: ${refused.length} refused at INSERT, ${rows.length - refused.length} accepted`,
    );
  });

  it("an admin approving every accepted Tier 2 row still runs none of them", async () => {
    const { rows } = await db.pool.query<{ id: number }>(
      "select id from autoexec.actions where execution_tier = 2 and status = 'PENDING' order by id",
    );
    await signedIn(
      db.pool,
      "admin@example.com",
      (client) =>
        client.query("select count(*) from autoexec.approve_actions($1, 'hostile suite')", [
          rows.map((r) => r.id),
        ]),
      "autoexec_admin",
    );
  });

  it("every accepted row ends with a reason or is held back by a guard, and none executes", async () => {
    const accepted = outcomes.filter((outcome) => outcome.id !== undefined);
    const settled = async () => {
      const { rows } = await db.pool.query<{ id: number; status: string; status_reason: string | null }>(
        "select id, status, status_reason from autoexec.actions where id = any($1::bigint[])",
        [accepted.map((outcome) => outcome.id)],
      );
      return new Map(rows.map((r) => [r.id, r]));
    };
    await waitFor(
      async () => {
        const states = await settled();
        return accepted.every((outcome) => isSettled(outcome, states));
      },
      50_000,
      {
        what: "every hostile row to settle",
        describe: async () => {
          const states = await settled();
          const open = accepted.filter((o) => !isSettled(o, states));
          return `${accepted.length - open.length} of ${accepted.length} ended; open: ${open
            .slice(0, 8)
            .map(
              (o) =>
                `${o.row.what.slice(0, 50)} (${JSON.stringify(states.get(o.id as number)).slice(0, 200)})`,
            )
            .join("; ")}`;
        },
      },
    );
    const states = await settled();
    const unexpected = accepted
      .map((outcome) => ({
        what: outcome.row.what,
        expect: outcome.row.expect,
        ...states.get(outcome.id as number),
      }))
      .filter((state) =>
        state.expect === "held"
          ? state.status !== "PENDING" || !state.status_reason
          : !TERMINAL.includes(state.status ?? "") || !state.status_reason,
      );
    expect(unexpected).toEqual([]);
    const { rows: executed } = await db.pool.query(
      "select count(*)::int as n from autoexec.execution_logs where success and action_id = any($1::bigint[])",
      [accepted.map((outcome) => outcome.id)],
    );
    expect(executed[0].n).toBe(0);
  });

  it("guards held for every spelling: the reasons name the fresh mod, the thresholds and the key limit", async () => {
    const reasonOf = async (what: string) => {
      const outcome = outcomes.find((o) => o.row.what === what);
      const { rows } = await db.pool.query("select status_reason from autoexec.actions where id = $1", [
        outcome?.id,
      ]);
      return rows[0]?.status_reason as string;
    };
    for (const spelling of [`${ids.fresh}.0`, `${ids.fresh}0e-1`, `${ids.fresh}00e-2`]) {
      expect(await reasonOf(`modId ${spelling}`)).toMatch(new RegExp(`^mod ${ids.fresh} was edited at `));
    }
    expect(await reasonOf("confidence 7e-1")).toMatch(/^confidence 0\.7 is not above the minimum/);
    expect(await reasonOf("impact 1e-1")).toMatch(/^estimated revenue impact \$0\.1\/month is not above/);
    expect(await reasonOf("rate_limit_key used up (1)")).toMatch(/mod:hot/);
  });

  it("changes no content, crashes no worker and leaves the engine running: a good action runs at once", async () => {
    expect(await contentFingerprint()).toEqual(contentBefore);
    const { rows: state } = await db.pool.query(
      "select breaker_open, cooldown_until, consecutive_failures from autoexec.engine_state",
    );
    expect(state[0]).toEqual({ breaker_open: false, cooldown_until: null, consecutive_failures: 0 });
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();

    const good = await insertRowAsAgent(db.pool, { json: JSON.stringify(amazonLink(ids.good, "B0GOOD")) });
    await waitFor(
      async () => {
        const { rows } = await db.pool.query("select status from autoexec.actions where id = $1", [good]);
        return rows[0].status === "EXECUTED";
      },
      10_000,
      { what: "the good action to execute" },
    );
    expect(await contentFingerprint()).toEqual(contentBefore);
    const { rows: mods } = await db.pool.query("select affiliate_links from content.mods where id = $1", [
      ids.good,
    ]);
    expect(mods[0].affiliate_links).toEqual([
      expect.objectContaining({ url: amazonLink(0, "B0GOOD").affiliateUrl }),
    ]);
  });
});
