import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.ts";
import { withTransaction } from "../src/db/pool.ts";
import { createTestDatabase, databaseForTests } from "./support/db.ts";
import { insertAction } from "./support/fixtures.ts";
import { asRole } from "./support/roles.ts";

// The audit trail is append-only for every application role; a superuser can still disable the
// trigger and edit or delete an event. These tests do exactly that, as the superuser the test runs as,
// and expect autoexec.verify_audit_chain() (run as the auditor) to name the first event that changed.

const db = databaseForTests({ each: true });

interface Verdict {
  valid: boolean;
  links_checked: number;
  first_bad_event_id: number | null;
  first_bad_position: number | null;
  problem: string | null;
  head_position: number;
  head_hash: string;
}

async function verify(anchor?: { position: number; hash: string }): Promise<Verdict> {
  return asRole(db.pool, "autoexec_auditor", "dba", async (client) => {
    const { rows } = await client.query<Verdict>("select * from autoexec.verify_audit_chain($1, $2)", [
      anchor?.position ?? null,
      anchor?.hash ?? null,
    ]);
    return rows[0] as Verdict;
  });
}

/** Writes `count` audit events the way the engine does (each in its own transaction); returns their ids. */
async function writeEvents(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const { rows } = await db.pool.query<{ id: number }>(
      `select autoexec_private.audit('action.approved', 'action', $1, '{"status": "PENDING"}',
         '{"status": "APPROVED"}', $2, 'alice')`,
      [String(i + 1), `note ${i + 1}`],
    );
    expect(rows).toHaveLength(1);
    ids.push(
      (await db.pool.query<{ id: number }>("select max(id)::int as id from autoexec.audit_events")).rows[0]
        ?.id as number,
    );
  }
  return ids;
}

/** What a superuser can do: change the audit trail with its append-only trigger switched off. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await withTransaction(db.pool, async (client) => {
    await client.query("alter table autoexec.audit_events disable trigger user");
    await client.query(sql, params);
    await client.query("alter table autoexec.audit_events enable trigger user");
  });
}

describe("autoexec.verify_audit_chain", () => {
  it("finds an untouched trail intact, whatever wrote it", async () => {
    await writeEvents(3);
    await db.pool.query("update autoexec.settings set hourly_limit = 7"); // audited by a trigger
    await asRole(db.pool, "autoexec_admin", "alice", (client) =>
      client.query("select autoexec.reset_circuit_breaker('after the incident')"),
    );
    const { rows } = await db.pool.query("select count(*)::int as n from autoexec.audit_events");
    expect(rows[0].n).toBeGreaterThanOrEqual(5);
    expect(await verify()).toMatchObject({
      valid: true,
      links_checked: rows[0].n,
      problem: null,
      head_position: rows[0].n,
      head_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("keeps one linear chain while many transactions write events at once", async () => {
    const writers = 20;
    const eventsEach = 3;
    const clients = await Promise.all(
      Array.from({ length: writers }, async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all(
        clients.map(async (client, writer) => {
          await client.query("begin");
          for (let event = 0; event < eventsEach; event++) {
            await client.query(
              "select autoexec_private.audit('test.event', 'action', $1, null, null, null, 'w')",
              [`${writer}:${event}`],
            );
            await client.query("select pg_sleep(random() * 0.01)");
          }
          await client.query("commit");
        }),
      );
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(await verify()).toMatchObject({ valid: true, links_checked: writers * eventsEach });
    // One transaction's events stand together in the chain: it appends them as it commits.
    const { rows } = await db.pool.query<{ spread: number }>(
      `select max(c.position) - min(c.position) as spread
       from autoexec_private.audit_chain c join autoexec.audit_events e on e.id = c.event_id
       group by split_part(e.subject_id, ':', 1)`,
    );
    expect(rows.map((row) => Number(row.spread))).toEqual(Array(writers).fill(eventsEach - 1));
  });

  it("names an event edited with the triggers disabled, and passes again once it is restored", async () => {
    const [, second, third] = await writeEvents(4);
    await tamper("update autoexec.audit_events set note = 'nothing to see' where id = $1", [third]);
    expect(await verify()).toMatchObject({
      valid: false,
      links_checked: 2,
      first_bad_event_id: third,
      first_bad_position: 3,
      problem: `event ${third} was changed after it was written`,
    });
    // Any field counts, the actor and the time included; the first changed event is the one named.
    await tamper("update autoexec.audit_events set actor = 'mallory' where id = $1", [second]);
    expect(await verify()).toMatchObject({ valid: false, first_bad_event_id: second });
    await tamper("update autoexec.audit_events set actor = 'alice' where id = $1", [second]);
    await tamper("update autoexec.audit_events set note = 'note 3' where id = $1", [third]);
    expect(await verify()).toMatchObject({ valid: true, links_checked: 4 });
    await tamper(
      "update autoexec.audit_events set occurred_at = occurred_at - interval '1 day' where id = $1",
      [second],
    );
    expect(await verify()).toMatchObject({ valid: false, first_bad_event_id: second });
  });

  it("names an event deleted with the triggers disabled", async () => {
    const [, second] = await writeEvents(3);
    await tamper("delete from autoexec.audit_events where id = $1", [second]);
    expect(await verify()).toMatchObject({
      valid: false,
      first_bad_event_id: second,
      first_bad_position: 2,
      problem: `event ${second} was deleted`,
    });
  });

  it("notices an event removed together with its link: the next one no longer follows", async () => {
    const [, second, third] = await writeEvents(3);
    await tamper("delete from autoexec.audit_events where id = $1", [second]);
    await db.pool.query("delete from autoexec_private.audit_chain where event_id = $1", [second]);
    expect(await verify()).toMatchObject({
      valid: false,
      links_checked: 1,
      first_bad_event_id: third,
      first_bad_position: 3,
      problem: expect.stringMatching(/position 2 is missing/),
    });
  });

  it("notices swapped contents and events removed from the end", async () => {
    const [first, second, , fourth] = await writeEvents(4);
    await tamper(
      `update autoexec.audit_events e set note = o.note from autoexec.audit_events o
       where (e.id, o.id) in (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
      [first, second],
    );
    expect(await verify()).toMatchObject({ valid: false, first_bad_event_id: first, first_bad_position: 1 });
    await tamper(
      `update autoexec.audit_events e set note = o.note from autoexec.audit_events o
       where (e.id, o.id) in (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
      [first, second],
    );
    expect(await verify()).toMatchObject({ valid: true });

    // The last event removed with its link leaves a shorter chain that is whole: only a head recorded
    // before (the anchor) shows that it was longer.
    const anchor = await verify();
    await tamper("delete from autoexec.audit_events where id = $1", [fourth]);
    await db.pool.query("delete from autoexec_private.audit_chain where event_id = $1", [fourth]);
    expect(await verify()).toMatchObject({ valid: true, head_position: 3 });
    expect(await verify({ position: anchor.head_position, hash: anchor.head_hash })).toMatchObject({
      valid: false,
      problem: "the chain ends at position 3, before the recorded position 4: events were removed",
    });
  });

  it("names an event written with the chain's trigger disabled", async () => {
    await writeEvents(2);
    await tamper(
      "insert into autoexec.audit_events (actor, action, subject_type) values ('mallory', 'breaker.reset', 'circuit_breaker')",
    );
    const { rows } = await db.pool.query("select max(id)::int as id from autoexec.audit_events");
    expect(await verify()).toMatchObject({
      valid: false,
      first_bad_event_id: rows[0].id,
      problem: expect.stringMatching(/not in the chain/),
    });
  });

  it("with a recorded anchor, also catches a chain recomputed after an edit", async () => {
    const [first] = await writeEvents(3);
    const anchor = await verify();
    const recorded = { position: anchor.head_position, hash: anchor.head_hash };
    expect(await verify(recorded)).toMatchObject({ valid: true });
    // A superuser who edits an event and then recomputes every link.
    await tamper("update autoexec.audit_events set note = 'rewritten' where id = $1", [first]);
    await db.pool.query(`
      do $$
      declare
        c record;
        v_previous bytea := decode(repeat('00', 32), 'hex');
        v_hash bytea;
      begin
        for c in select l.position, e from autoexec_private.audit_chain l
                 join autoexec.audit_events e on e.id = l.event_id order by l.position loop
          v_hash := autoexec_private.audit_event_hash(c.e, c.position, v_previous);
          update autoexec_private.audit_chain set previous_hash = v_previous, hash = v_hash where position = c.position;
          v_previous := v_hash;
        end loop;
      end
      $$`);
    expect(await verify()).toMatchObject({ valid: true });
    expect(await verify(recorded)).toMatchObject({
      valid: false,
      first_bad_position: recorded.position,
      problem: expect.stringMatching(/the chain was rewritten/),
    });
  });

  it("is for the auditor: no other role may run it", async () => {
    await insertAction(db.pool, { data: { modId: 1 } });
    for (const role of ["autoexec_agent", "autoexec_viewer", "autoexec_admin"] as const) {
      await expect(
        asRole(db.pool, role, "x", (client) => client.query("select * from autoexec.verify_audit_chain()")),
      ).rejects.toThrow(/permission denied/);
    }
  });
});

describe("sql/migrations/021_audit_chain.sql", () => {
  it("chains the events written before it, in the order they were written", async () => {
    const sqlDir = path.resolve(import.meta.dirname, "../sql");
    const before = await mkdtemp(path.join(os.tmpdir(), "autoexec-sql-"));
    const empty = await createTestDatabase({ empty: true });
    try {
      // The schema as it was before the chain: no migration 021, no function that uses it, and not
      // 071, which comments on the chain's columns.
      await cp(sqlDir, before, {
        recursive: true,
        filter: (source) =>
          !/021_audit_chain|071_comments|audit_chain|audit_events__chain/.test(path.basename(source)),
      });
      await migrate(empty.pool, empty.log, before);
      for (const note of ["one", "two", "three"]) {
        await empty.pool.query(
          "select autoexec_private.audit('test.event', 'action', '1', null, null, $1, 'w')",
          [note],
        );
      }
      expect((await migrate(empty.pool, empty.log, sqlDir)).applied).toEqual([
        "021_audit_chain.sql",
        "071_comments.sql",
      ]);
      await empty.pool.query(
        "select autoexec_private.audit('test.event', 'action', '1', null, null, 'after', 'w')",
      );
      const { rows } = await empty.pool.query(
        "select c.position, e.note from autoexec_private.audit_chain c join autoexec.audit_events e on e.id = c.event_id order by 1",
      );
      expect(rows).toEqual(
        ["one", "two", "three", "after"].map((note, index) => ({ position: index + 1, note })),
      );
      const verdict = await empty.pool.query(
        "select valid, links_checked from autoexec.verify_audit_chain()",
      );
      expect(verdict.rows[0]).toEqual({ valid: true, links_checked: 4 });
    } finally {
      await empty.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});
