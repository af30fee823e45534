import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { collectionPage, describeChange } from "./content.ts";
import { contentId, plainText } from "./fields.ts";
import { defineHandler, type HandlerContext, invalid, type Json, VALID } from "./types.ts";

const CreateCollectionPage = z.strictObject({
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "slug must be lowercase words joined by hyphens")
    .max(100),
  title: plainText("title", { min: 1, max: 200 }),
  description: plainText("description", { max: 5_000, multiline: true }),
  modIds: z
    .array(contentId)
    .min(1)
    .max(200)
    .refine((ids) => new Set(ids).size === ids.length, "modIds must not repeat a mod")
    // The same rule for the JSON Schema (a refinement has no JSON Schema form of its own).
    .meta({ uniqueItems: true }),
});
type CreateCollectionPageData = z.infer<typeof CreateCollectionPage>;

export default defineHandler<CreateCollectionPageData>({
  type: "CREATE_COLLECTION_PAGE",
  tier: 2,
  schema: CreateCollectionPage,

  async validate(ctx, data) {
    const taken = await ctx.db.query("select id from content.collections where slug = $1", [data.slug]);
    if (taken.rowCount) return invalid(`a collection with slug ${data.slug} already exists`);
    const { rows } = await ctx.db.query<{ id: number }>(
      "select id from unnest($1::bigint[]) as wanted(id) where not exists (select from content.mods m where m.id = wanted.id)",
      [data.modIds],
    );
    if (rows.length) return invalid(`mods not found: ${rows.map((row) => row.id).join(", ")}`);
    return VALID;
  },

  async prepareRollback() {
    return {};
  },

  async execute(ctx, data) {
    const { rows } = await ctx.db.query<{ id: number }>(
      "insert into content.collections (slug, title, description) values ($1, $2, $3) returning id",
      [data.slug, data.title, data.description],
    );
    const collectionId = rows[0]?.id as number;
    await ctx.db.query(
      `insert into content.collection_mods (collection_id, mod_id, position, added_by)
       select $1, mod_id, position - 1, 'autoexec' from unnest($2::bigint[]) with ordinality as m(mod_id, position)`,
      [collectionId, data.modIds],
    );
    const after = await collectionState(ctx, collectionId);
    return {
      output: { collectionId, slug: data.slug, modCount: data.modIds.length },
      rollbackData: { collectionId, after },
    };
  },

  // Found by its id once created (an editor may have renamed its slug since), else by the slug it will take.
  async affected(ctx, data, rollbackData) {
    const id = rollbackData?.collectionId;
    return {
      collectionPage: await collectionPage(ctx, typeof id === "number" ? { id } : { slug: data.slug }),
    };
  },

  async conflicts(ctx, rollbackData) {
    const id = rollbackData.collectionId as number;
    const now = (await collectionState(ctx, id)) as Record<string, Json> | null;
    if (!now) return [`collection ${id} was already deleted`];
    const after = rollbackData.after as Record<string, Json>;
    return Object.keys(after)
      .filter((key) => !isDeepStrictEqual(now[key], after[key]))
      .map(
        (key) =>
          `${key} of collection ${id} changed since it was created: ${describeChange(after[key] ?? null, now[key] ?? null)}`,
      );
  },

  async rollback(ctx, rollbackData) {
    // The mods the page was created with go; mods an editor has added since are the editor's, so the
    // page stays for them. Without such additions the page itself is the execution's and goes.
    const createdWith = ((rollbackData.after as { mods?: [number, number][] }).mods ?? []).map(([id]) => id);
    await ctx.db.query(
      "delete from content.collection_mods where collection_id = $1 and mod_id = any($2::bigint[])",
      [rollbackData.collectionId, createdWith],
    );
    await ctx.db.query(
      "delete from content.collections c where id = $1 and not exists (select from content.collection_mods cm where cm.collection_id = c.id)",
      [rollbackData.collectionId],
    );
  },
});

/** The collection as it stands; conflict detection compares it with the state right after execution. */
async function collectionState(ctx: HandlerContext, id: number): Promise<Json> {
  const { rows } = await ctx.db.query<{ state: Json }>(
    `select jsonb_build_object('slug', c.slug, 'title', c.title, 'description', c.description,
       'mods', coalesce((select jsonb_agg(jsonb_build_array(cm.mod_id, cm.position) order by cm.position, cm.mod_id)
                         from content.collection_mods cm where cm.collection_id = c.id), '[]')) as state
     from content.collections c where c.id = $1 for update`,
    [id],
  );
  return rows[0]?.state ?? null;
}
