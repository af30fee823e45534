import { z } from "zod";
import { collectionPage, lockMod } from "./content.ts";
import { contentId } from "./fields.ts";
import { defineHandler, invalid, VALID } from "./types.ts";

const AddToCollection = z.strictObject({
  modId: contentId,
  collectionId: contentId,
  position: z.number().int().min(0).max(2_147_483_647).optional(),
});
type AddToCollectionData = z.infer<typeof AddToCollection>;

export default defineHandler<AddToCollectionData>({
  type: "ADD_TO_COLLECTION",
  tier: 1,
  schema: AddToCollection,

  async validate(ctx, data) {
    if (!(await lockMod(ctx, data.modId))) return invalid(`mod ${data.modId} not found`);
    // Locking the collection serialises additions to it, so positions stay consistent.
    const collection = await ctx.db.query("select id from content.collections where id = $1 for update", [
      data.collectionId,
    ]);
    if (!collection.rowCount) return invalid(`collection ${data.collectionId} not found`);
    const member = await ctx.db.query(
      "select from content.collection_mods where collection_id = $1 and mod_id = $2",
      [data.collectionId, data.modId],
    );
    if (member.rowCount) return invalid(`mod ${data.modId} is already in collection ${data.collectionId}`);
    return VALID;
  },

  async prepareRollback(_ctx, data) {
    return { collectionId: data.collectionId, modId: data.modId };
  },

  async execute(ctx, data) {
    const { rows } = await ctx.db.query<{ position: number }>(
      `insert into content.collection_mods (collection_id, mod_id, position, added_by)
       values ($1, $2, coalesce($3, (select coalesce(max(position) + 1, 0) from content.collection_mods
                                     where collection_id = $1)), 'autoexec')
       returning position`,
      [data.collectionId, data.modId, data.position ?? null],
    );
    const position = rows[0]?.position ?? null;
    return {
      output: { collectionId: data.collectionId, modId: data.modId, position },
      rollbackData: { positionAfter: position },
    };
  },

  async affected(ctx, data) {
    return { collection: await collectionPage(ctx, { id: data.collectionId }) };
  },

  async conflicts(ctx, rollbackData) {
    const { rows } = await ctx.db.query<{ position: number }>(
      "select position from content.collection_mods where collection_id = $1 and mod_id = $2 for update",
      [rollbackData.collectionId, rollbackData.modId],
    );
    const now = rows[0];
    if (!now) return [`mod ${rollbackData.modId} is no longer in collection ${rollbackData.collectionId}`];
    if (now.position !== rollbackData.positionAfter) {
      return [
        `mod ${rollbackData.modId} moved from position ${rollbackData.positionAfter} to ${now.position} in collection ${rollbackData.collectionId}`,
      ];
    }
    return [];
  },

  async rollback(ctx, rollbackData) {
    await ctx.db.query("delete from content.collection_mods where collection_id = $1 and mod_id = $2", [
      rollbackData.collectionId,
      rollbackData.modId,
    ]);
  },
});
