import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as calls from "../src/db/calls.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** What a wrapper declares about its function. */
interface Declaration {
  sqlName: string;
  args: Record<string, string>;
  returns: Record<string, string> | string;
}

/** Every wrapper src/db/calls.ts exports: a new one is checked without being listed here. */
const wrappers = Object.entries(calls as Record<string, unknown>).filter(
  (entry): entry is [string, Declaration] => typeof entry[1] === "function" && "sqlName" in entry[1],
);

interface Proc {
  signature: string;
  arg_names: string[];
  arg_types: string[];
  columns: Array<{ name: string; type: string }> | null;
  result_type: string;
}

/** The function as pg_proc has it: its input arguments, and its table's columns or its result type. */
async function proc(sqlName: string, argTypes: string[]): Promise<Proc | undefined> {
  const { rows } = await db.pool.query<Proc>(
    `select p.oid::regprocedure::text as signature,
       coalesce((select array_agg(a.name order by a.n) from unnest(p.proargnames, p.proargmodes) with ordinality
                   as a(name, mode, n) where a.mode in ('i', 'b')), p.proargnames, '{}') as arg_names,
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality as x(t, n) order by n)
         as arg_types,
       (select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null)) order by a.n)
          from unnest(p.proargnames, p.proargmodes, p.proallargtypes) with ordinality as a(name, mode, type, n)
          where a.mode = 't') as columns,
       format_type(p.prorettype, null) as result_type
     from pg_proc p where p.oid = to_regprocedure($1)`,
    [`${sqlName}(${argTypes.join(", ")})`],
  );
  return rows[0];
}

const bare = (declared: string) => declared.replace(/ \| null$/, "");

describe("src/db/calls.ts, the typed wrappers of the engine's SQL functions", () => {
  it("wraps the functions the engine calls on its hot path", () => {
    expect(wrappers.map(([, wrapper]) => wrapper.sqlName)).toEqual(
      expect.arrayContaining([
        "autoexec_private.start_execution",
        "autoexec_private.record_execution",
        "autoexec_private.record_failure",
        "autoexec_private.start_rollback",
        "autoexec_private.finish_rollback",
        "autoexec_private.dispatch_waiting",
      ]),
    );
  });

  it.each(wrappers)("%s: its arguments and result are the function's in pg_proc", async (_, wrapper) => {
    const declaredArgs = Object.entries(wrapper.args);
    const found = await proc(
      wrapper.sqlName,
      declaredArgs.map(([, type]) => bare(type)),
    );
    expect(found, `${wrapper.sqlName} with these argument types`).toBeDefined();
    // Names in order: two arguments of one type cannot swap unnoticed. (PostgreSQL's own functions
    // have no argument names: their types, above, are all pg_proc says.)
    if (!wrapper.sqlName.startsWith("pg_catalog."))
      expect(found?.arg_names).toEqual(declaredArgs.map(([name]) => name));
    if (typeof wrapper.returns === "string") {
      expect(found?.columns).toBeNull();
      expect(found?.result_type).toBe(bare(wrapper.returns));
    } else {
      expect(found?.columns).toEqual(
        Object.entries(wrapper.returns).map(([name, type]) => ({ name, type: bare(type) })),
      );
    }
  });

  it("names each argument after the SQL one, as the TypeScript types do", () => {
    expect(["p_action_id", "p_force", "setting_name", "p_mod_updated_at"].map(calls.argName)).toEqual([
      "actionId",
      "force",
      "settingName",
      "modUpdatedAt",
    ]);
  });

  it("writes values in as literals of their type that reach the function unchanged", async () => {
    const tricky = "it's a \\ test; select 1 -- ’ \u{1F600}";
    const echoed = await calls.runOne(
      db.pool,
      calls.setConfig({ settingName: "autoexec.test_value", newValue: tricky, isLocal: false }),
    );
    expect(echoed.result).toBe(tricky);
    const change = { before: { a: "x'y" }, after: { a: "\\n" } };
    const hashed = await calls.runOne(db.pool, calls.changeHash({ change }));
    const { rows } = await db.pool.query("select autoexec_private.change_hash($1::jsonb) as hash", [
      JSON.stringify(change),
    ]);
    expect(hashed.result).toBe(rows[0].hash);
  });

  it("refuses a value that is not of its type instead of sending it", () => {
    const notAnId = { actionId: 1.5, reason: "x" } as unknown as { actionId: number; reason: string };
    expect(() => calls.recordInvalid(notAnId)).toThrow("1.5 is not a bigint");
    const missing = { actionId: 1, reason: null } as unknown as { actionId: number; reason: string };
    expect(() => calls.recordInvalid(missing)).toThrow("a text argument is missing");
  });

  it("run returns the rows of its call, with the statements around it in the same round trip", async () => {
    const client = await db.pool.connect();
    try {
      const rows = await calls.run(client, calls.changeHash({ change: {} }), {
        before: ["begin", "set local lock_timeout = '1s'"],
        after: ["commit"],
      });
      expect(rows).toEqual([{ result: expect.any(String) }]);
      // A failing call stops the query: the commit after it does not run, the transaction is aborted.
      await expect(
        calls.run(client, calls.startRollback({ executionLogId: -1 }), {
          before: ["begin"],
          after: ["commit"],
        }),
      ).rejects.toMatchObject({ code: "AE004" });
      await expect(client.query("select 1")).rejects.toMatchObject({ code: "25P02" });
    } finally {
      await client.query("rollback");
      client.release();
    }
  });
});
