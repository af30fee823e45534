import type { HandlerContext, Json } from "./types.ts";

export interface ModRow {
  id: number;
  title: string;
  meta_description: string | null;
  affiliate_links: Json[];
}

/** Reads a mod and locks it until the execution commits, so no other writer interleaves. */
export async function lockMod(ctx: HandlerContext, modId: number): Promise<ModRow | undefined> {
  const { rows } = await ctx.db.query<ModRow>(
    "select id, title, meta_description, affiliate_links from content.mods where id = $1 for update",
    [modId],
  );
  return rows[0];
}
