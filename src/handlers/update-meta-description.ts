import { z } from "zod";
import { lockMod, modFieldConflict, writeMod } from "./content.ts";
import { contentId, plainText } from "./fields.ts";
import { defineHandler, invalid, VALID } from "./types.ts";

const UpdateMetaDescription = z.strictObject({
  modId: contentId,
  metaDescription: plainText("metaDescription", { min: 1, max: 160 }),
});
type UpdateMetaDescriptionData = z.infer<typeof UpdateMetaDescription>;

export default defineHandler<UpdateMetaDescriptionData>({
  type: "UPDATE_META_DESCRIPTION",
  tier: 1,
  schema: UpdateMetaDescription,

  async validate(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    if (!mod) return invalid(`mod ${data.modId} not found`);
    if (mod.meta_description === data.metaDescription) {
      return invalid(`mod ${data.modId} already has this meta description`);
    }
    return VALID;
  },

  async prepareRollback(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    return { modId: data.modId, metaDescriptionBefore: mod?.meta_description ?? null };
  },

  async execute(ctx, data) {
    await writeMod(ctx, {
      name: "autoexec_update_meta_description",
      text: "update content.mods set meta_description = $2 where id = $1",
      values: [data.modId, data.metaDescription],
    });
    return {
      output: { modId: data.modId, metaDescription: data.metaDescription },
      rollbackData: { metaDescriptionAfter: data.metaDescription },
    };
  },

  async affected(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    return { metaDescription: mod ? mod.meta_description : null };
  },

  conflicts(ctx, rollbackData) {
    return modFieldConflict(
      ctx,
      rollbackData.modId as number,
      "meta_description",
      rollbackData.metaDescriptionAfter,
    );
  },

  async rollback(ctx, rollbackData) {
    // Forced over a later edit, the editor's text has replaced this execution's: it stays.
    await ctx.db.query(
      "update content.mods set meta_description = $2 where id = $1 and meta_description is not distinct from $3",
      [rollbackData.modId, rollbackData.metaDescriptionBefore, rollbackData.metaDescriptionAfter],
    );
  },
});
