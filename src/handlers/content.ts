import { isDeepStrictEqual } from "node:util";
import type { HandlerContext, Json } from "./types.ts";

export interface ModRow {
  id: number;
  title: string;
  body: string;
  meta_description: string | null;
  affiliate_links: Json[];
}

/** Reads a mod and locks it until the execution commits, so no other writer interleaves. */
export async function lockMod(ctx: HandlerContext, modId: number): Promise<ModRow | undefined> {
  const { rows } = await ctx.db.query<ModRow>(
    "select id, title, body, meta_description, affiliate_links from content.mods where id = $1 for update",
    [modId],
  );
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
