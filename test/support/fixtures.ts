import type pg from "pg";
import { withTransaction } from "../../src/db/pool.ts";

type Queryable = Pick<pg.Pool, "query">;

/** A mod last edited two days ago, so the recent-edit guard does not hold its actions back. */
export async function insertMod(
  db: Queryable,
  fields: {
    slug?: string;
    title?: string;
    body?: string;
    editedHoursAgo?: number;
    metaDescription?: string;
    affiliateLinks?: unknown[];
  } = {},
): Promise<number> {
  const slug = fields.slug ?? `mod-${Math.random().toString(36).slice(2, 10)}`;
  const { rows } = await db.query<{ id: number }>(
    `insert into content.mods (slug, title, body, meta_description, affiliate_links, externally_modified_at)
     values ($1, $2, $3, $4, $5, now() - make_interval(hours => $6)) returning id`,
    [
      slug,
      fields.title ?? `Mod ${slug}`,
      fields.body ?? "",
      fields.metaDescription ?? null,
      JSON.stringify(fields.affiliateLinks ?? []),
      fields.editedHoursAgo ?? 48,
    ],
  );
  return rows[0]?.id as number;
}

export async function insertCollection(db: Queryable, slug = `c-${Math.random().toString(36).slice(2, 10)}`) {
  const { rows } = await db.query<{ id: number }>(
    "insert into content.collections (slug, title) values ($1, $2) returning id",
    [slug, `Collection ${slug}`],
  );
  return rows[0]?.id as number;
}

/** Puts a mod into a collection the way an editor would. */
export async function insertCollectionMod(
  db: Queryable,
  collectionId: number,
  modId: number,
  position = 0,
): Promise<void> {
  await db.query(
    "insert into content.collection_mods (collection_id, mod_id, position) values ($1, $2, $3)",
    [collectionId, modId, position],
  );
}

export interface ActionFields {
  type?: string;
  data: Record<string, unknown>;
  confidence?: number;
  impact?: number;
  rateLimitKey?: string | null;
  idempotencyKey?: string | null;
  expiresAt?: Date | null;
}

/** Inserts an action the way the agent does; returns its id. */
export async function insertAction(db: Queryable, fields: ActionFields): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `insert into autoexec.actions
       (type, action_data, confidence, estimated_revenue_impact, rate_limit_key, idempotency_key, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [
      fields.type ?? "ADD_AFFILIATE_LINK",
      JSON.stringify(fields.data),
      fields.confidence ?? 0.9,
      fields.impact ?? 5,
      fields.rateLimitKey ?? null,
      fields.idempotencyKey ?? null,
      fields.expiresAt ?? null,
    ],
  );
  return rows[0]?.id as number;
}

/** Inserts `count` eligible Tier 1 actions, each on a mod of its own, in one transaction (they queue at once). */
export function insertEligibleActions(pool: pg.Pool, count: number): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    const ids: number[] = [];
    for (let index = 0; index < count; index++) {
      ids.push(await insertAction(client, { data: amazonLink(await insertMod(client)) }));
    }
    return ids;
  });
}

export function amazonLink(modId: number, product = "B000TEST") {
  return {
    modId,
    affiliateUrl: `https://www.amazon.com/dp/${product}?tag=musthavemods`,
    affiliateType: "amazon",
  };
}

/** Sets the named columns of autoexec.settings. */
export async function setSettings(db: Queryable, settings: Record<string, unknown>): Promise<void> {
  const assignments = Object.keys(settings).map((name, index) => `${name} = $${index + 1}`);
  await db.query(`update autoexec.settings set ${assignments.join(", ")}`, Object.values(settings));
}

export function goLive(db: Queryable, settings: Record<string, unknown> = {}): Promise<void> {
  return setSettings(db, { enabled: true, dry_run: false, ...settings });
}

/**
 * A clean engine for the next test of a file that shares one database: no actions, logs, alerts,
 * mods, collections or jobs; breakers closed, no cooldown; every executable type live with no cap;
 * then `settings` (the engine switched off and in dry run unless they say otherwise).
 */
export async function resetEngine(db: Queryable, settings: Record<string, unknown> = {}): Promise<void> {
  await db.query(`
    truncate autoexec.execution_logs, autoexec.actions, autoexec.notifications, content.mods, content.collections cascade;
    select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs));
    update autoexec.action_types set mode = 'live', daily_cap = null where tier < 3;
    update autoexec.engine_state set breaker_open = false, breaker_opened_at = null, breaker_reason = null,
      breaker_reset_at = null, consecutive_failures = 0, cooldown_until = null, probes_left = 0;
    update autoexec.type_breakers set breaker_open = false, breaker_reset_at = null, probes_left = 0;`);
  await setSettings(db, { enabled: false, dry_run: true, ...settings });
}

/**
 * Live, for files that run many executions, some failing on purpose: the rate limits lifted, and the
 * cooldown and circuit breaker out of reach so that one test's failures do not hold back the next.
 */
export function goLiveUnguarded(db: Queryable): Promise<void> {
  return goLive(db, {
    hourly_limit: 10_000,
    daily_limit: 10_000,
    failures_before_cooldown: 1_000,
    breaker_failure_rate: 1,
  });
}

export interface ActionState {
  id: number;
  status: string;
  status_reason: string | null;
  execution_attempts: number;
  deferred_until: Date | null;
  execution_result: Record<string, unknown> | null;
}

export async function getAction(db: Queryable, id: number): Promise<ActionState> {
  const { rows } = await db.query<ActionState>(
    `select id, status, status_reason, execution_attempts, deferred_until, execution_result
     from autoexec.actions where id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`no action ${id}`);
  return rows[0];
}

/** Pretends live Tier 1 executions happened at the given times (moving time in the data, not sleeping). */
export async function backdateExecutions(
  db: Queryable,
  executedAt: Date[],
  fields: { rateLimitKey?: string; success?: boolean; executedBy?: string; type?: string } = {},
): Promise<void> {
  for (const at of executedAt) {
    const modId = await insertMod(db);
    const actionId = await insertAction(db, {
      type: fields.type,
      data: amazonLink(modId),
      rateLimitKey: fields.rateLimitKey,
    });
    await db.query("update autoexec.actions set status = 'EXECUTED', executed_at = $2 where id = $1", [
      actionId,
      at,
    ]);
    await db.query(
      `insert into autoexec.execution_logs (action_id, action_type, execution_tier, rate_limit_key, executed_at,
         executed_by, mode, attempt, input_data, success, error_message, duration_ms)
       values ($1, $2, 1, $3, $4, $5, 'live', 1, '{}', $6, $7, 1)`,
      [
        actionId,
        fields.type ?? "ADD_AFFILIATE_LINK",
        fields.rateLimitKey ?? null,
        at,
        fields.executedBy ?? "auto",
        fields.success ?? true,
        fields.success === false ? "seeded failure" : null,
      ],
    );
  }
}

export const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
export const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
