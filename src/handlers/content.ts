import { isDeepStrictEqual } from "node:util";
import type { HandlerContext, Json } from "./types.ts";

export interface ModRow {
  id: number;
  title: string;
  body: string;
  meta_description: string | null;
  affiliate_links: Json[];
}

/** A mod as this execution last read or wrote it; `written`: returned by its own UPDATE (fresh). */
interface ModRead {
  row: ModRow | undefined;
  written: boolean;
}

/** The mods one execution has read and locked so far, by id (HandlerContext.mods). */
export type ModReads = Map<number, ModRead>;

/**
 * The context of one execution, rollback or preview on `db`; `lockedMod`: the mod the transaction has
 * already read and locked (start_execution does it for the action's own modId; undefined when it is
 * gone), so that lockMod answers it from memory.
 */
export function handlerContext(
  db: HandlerContext["db"],
  actionId: number,
  lockedMod?: { id: number; row: ModRow | undefined },
): HandlerContext {
  const mods: ModReads = new Map();
  if (lockedMod) mods.set(lockedMod.id, { row: lockedMod.row, written: false });
  return { db, actionId, mods };
}

const MOD_COLUMNS = "id, title, body, meta_description, affiliate_links";

/**
 * Reads a mod and locks it until the execution commits, so no other writer interleaves. The row is read
 * once per execution (validate, prepareRollback and execute all ask for it): the lock keeps every other
 * writer out, and a handler writes a mod only after its last read of it.
 */
export async function lockMod(ctx: HandlerContext, modId: number): Promise<ModRow | undefined> {
  const read = ctx.mods.get(modId);
  if (read) return read.row;
  const { rows } = await ctx.db.query<ModRow>({
    name: "autoexec_lock_mod",
    text: `select ${MOD_COLUMNS} from content.mods where id = $1 for no key update`,
    values: [modId],
  });
  ctx.mods.set(modId, { row: rows[0], written: false });
  return rows[0];
}

/**
 * A handler's write of one mod: `update content.mods set ... where id = $1`, with `values` ($1 the
 * mod's id). The row comes back as written and is kept, so that reading it after the write (affected(),
 * for the execution's diff) costs no query. Returns it (undefined when the mod is gone).
 */
export async function writeMod(
  ctx: HandlerContext,
  statement: { name: string; text: string; values: [modId: number, ...rest: unknown[]] },
): Promise<ModRow | undefined> {
  const { rows } = await ctx.db.query<ModRow>({
    name: statement.name,
    text: `${statement.text} returning ${MOD_COLUMNS}`,
    values: statement.values,
  });
  const modId = statement.values[0];
  ctx.mods.set(modId, { row: rows[0], written: true });
  return rows[0];
}

/**
 * Compares one field of a mod with the value the execution left there, for conflict detection.
 * Returns a sentence when it differs (or the mod is gone), nothing when it is unchanged.
 */
export async function modFieldConflict(
  ctx: HandlerContext,
  modId: number,
  field: "body" | "meta_description" | "affiliate_links",
  valueAfterExecution: Json | undefined,
): Promise<string[]> {
  const mod = await lockMod(ctx, modId);
  if (!mod) return [`mod ${modId} no longer exists`];
  if (isDeepStrictEqual(mod[field], valueAfterExecution ?? null)) return [];
  return [
    `${field} of mod ${modId} changed since the execution: ${describeChange(valueAfterExecution ?? null, mod[field])}`,
  ];
}

/**
 * What differs between two values, for a person: the items added and removed when both are lists
 * (two long lists would otherwise preview the same first 120 characters), else both values.
 */
export function describeChange(was: Json, now: Json): string {
  if (Array.isArray(was) && Array.isArray(now)) {
    const notIn = (list: Json[]) => (item: Json) => !list.some((other) => isDeepStrictEqual(item, other));
    const changes = [
      ...now.filter(notIn(was)).map((item) => `added ${preview(item)}`),
      ...was.filter(notIn(now)).map((item) => `removed ${preview(item)}`),
    ];
    return changes.length ? changes.join("; ") : "the same items, in another order";
  }
  return `it was ${preview(was)}, it is now ${preview(now)}`;
}

function preview(value: Json | undefined): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Forgets the mods this execution has read, except those its writes returned (writeMod): the next
 * lockMod reads the others again (the lock is held anyway). affected() reads through lockMod, so its
 * reading before the write costs nothing and its reading after is fresh.
 */
export function forgetReads(ctx: HandlerContext): void {
  for (const [modId, read] of ctx.mods) if (!read.written) ctx.mods.delete(modId);
}

/**
 * A collection page as a reader sees it: slug, title, description and its mods in display order,
 * with their titles; null when there is no such collection.
 */
export async function collectionPage(
  ctx: HandlerContext,
  where: { id: number } | { slug: string },
): Promise<Json> {
  const { rows } = await ctx.db.query<{ page: Json }>(
    `select jsonb_build_object('slug', c.slug, 'title', c.title, 'description', c.description,
       'mods', coalesce((select jsonb_agg(jsonb_build_object('modId', cm.mod_id, 'title', m.title, 'position', cm.position)
                                         order by cm.position, cm.added_at, cm.mod_id)
                         from content.collection_mods cm join content.mods m on m.id = cm.mod_id
                         where cm.collection_id = c.id), '[]')) as page
     from content.collections c where ${"id" in where ? "c.id = $1" : "c.slug = $1"}`,
    ["id" in where ? where.id : where.slug],
  );
  return rows[0]?.page ?? null;
}
