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
    `${field} of mod ${modId} changed since the execution: it was ${preview(valueAfterExecution)}, it is now ${preview(mod[field])}`,
  ];
}

function preview(value: Json | undefined): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
