import { describe, expect, it } from "vitest";
import { databaseForTests } from "./support/db.ts";

// autoexec.setting_limits is the one statement of each setting's bounds: the settings' trigger
// checks changes against it and the admin UI validates with it. The columns' CHECK constraints
// must say the same, or the UI would accept what the database refuses (or the reverse).

const db = databaseForTests();

interface Limit {
  name: string;
  minimum: string | null;
  minimum_exclusive: boolean;
  maximum: string | null;
  pattern: string | null;
  type: string;
}

const limits = async () =>
  (
    await db.pool.query<Limit>(
      `select l.*, format_type(a.atttypid, null) as type from autoexec.setting_limits l
       join pg_attribute a on a.attrelid = 'autoexec.settings'::regclass and a.attname = l.name order by l.name`,
    )
  ).rows;

/** The value as SQL text of the column's type: a number, or seconds for an interval. */
const literal = (limit: Limit, amount: number) =>
  limit.type === "interval" ? `${amount} seconds` : String(amount);

/** Values the bounds allow and values just past them (a step the column's type can hold). */
function probes(limit: Limit): { allowed: string[]; refused: string[] } {
  if (limit.pattern !== null) return { allowed: ["https://example.com"], refused: ["ftp://example.com"] };
  const step = limit.type === "numeric" ? 0.001 : 1;
  const allowed: string[] = [];
  const refused: string[] = [];
  if (limit.minimum !== null) {
    const minimum = Number(limit.minimum);
    allowed.push(literal(limit, limit.minimum_exclusive ? minimum + step : minimum));
    refused.push(literal(limit, limit.minimum_exclusive ? minimum : minimum - step));
  }
  if (limit.maximum !== null) {
    allowed.push(literal(limit, Number(limit.maximum)));
    refused.push(literal(limit, Number(limit.maximum) + step));
  }
  return { allowed, refused };
}

/**
 * Each bound's probes, set one at a time in a transaction that is rolled back (`prepare` runs first in
 * it): [setting, value, the error message or null when it was taken].
 */
async function probeBounds(prepare?: string) {
  const client = await db.pool.connect();
  const outcomes: { allowed: [string, string, string | null][]; refused: [string, string, string | null][] } =
    { allowed: [], refused: [] };
  const attempt = async (name: string, value: string): Promise<[string, string, string | null]> => {
    await client.query("savepoint probe");
    try {
      await client.query(`update autoexec.settings set ${client.escapeIdentifier(name)} = $1`, [value]);
      return [name, value, null];
    } catch (error) {
      return [name, value, (error as Error).message];
    } finally {
      await client.query("rollback to savepoint probe");
    }
  };
  try {
    await client.query("begin");
    if (prepare) await client.query(prepare);
    for (const limit of await limits()) {
      const { allowed, refused } = probes(limit);
      for (const value of allowed) outcomes.allowed.push(await attempt(limit.name, value));
      for (const value of refused) outcomes.refused.push(await attempt(limit.name, value));
    }
  } finally {
    await client.query("rollback");
    client.release();
  }
  return outcomes;
}

describe("autoexec.setting_limits", () => {
  it("has the bounds of every setting an admin can give a number, a time span or an address", async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = 'autoexec.settings'::regclass and attnum > 0
         and not attisdropped and format_type(atttypid, null) in ('integer', 'numeric', 'interval', 'text')
       order by attname`,
    );
    expect((await limits()).map((limit) => limit.name)).toEqual(rows.map((row) => row.name));
  });

  it("is what the settings' trigger enforces, naming the setting and its bound", async () => {
    const { allowed, refused } = await probeBounds();
    expect(allowed.filter(([, , message]) => message !== null)).toEqual([]);
    expect(refused.length).toBeGreaterThan(25);
    for (const [name, value, message] of refused) {
      // Past an integer's range PostgreSQL refuses the value before any trigger sees it.
      const expected =
        Number(value) > 2147483647 ? /out of range/ : new RegExp(`^settings refused: ${name} must `);
      expect([name, value, message]).toEqual([name, value, expect.stringMatching(expected)]);
    }
  });

  it("agrees with the columns' own CHECK constraints", async () => {
    const { allowed, refused } = await probeBounds(
      "alter table autoexec.settings disable trigger _100_check_limits",
    );
    expect(allowed.filter(([, , message]) => message !== null)).toEqual([]);
    for (const [name, value, message] of refused)
      expect([name, value, message]).toEqual([
        name,
        value,
        expect.stringMatching(/violates check constraint|out of range/),
      ]);
  });

  it("refuses a bad value through update_settings with the same words, and lets admins change pending_ttl and site_url", async () => {
    await expect(db.pool.query("select autoexec.update_settings(hourly_limit => -1)")).rejects.toThrow(
      "settings refused: hourly_limit must be between 0 and 2147483647",
    );
    await expect(
      db.pool.query("select autoexec.update_settings(approval_ttl => '0 seconds')"),
    ).rejects.toThrow("settings refused: approval_ttl must be more than 0 seconds");
    await expect(db.pool.query("select autoexec.update_settings(webhook_url => 'ftp://x')")).rejects.toThrow(
      "settings refused: webhook_url must be an address that starts with http:// or https://",
    );
    await db.pool.query(
      "select autoexec.update_settings(pending_ttl => '7 days', site_url => 'https://mods.example/')",
    );
    const { rows } = await db.pool.query(
      `select (select pending_ttl::text || ' ' || site_url from autoexec.settings) as ttl,
         (select new_values from autoexec.audit_events where action = 'settings.updated' order by id desc limit 1) as audited`,
    );
    expect(rows[0]).toEqual({
      ttl: "7 days https://mods.example",
      audited: { pending_ttl: "7 days", site_url: "https://mods.example" },
    });
  });
});
