import { z } from "zod";
import { lockMod } from "./content.ts";
import { contentId } from "./fields.ts";
import { defineHandler, invalid, type Json, VALID } from "./types.ts";

const slug = z.string().regex(/^[a-z0-9_]{1,40}$/, "must be 1-40 lowercase letters, digits or underscores");
const AddAdSlot = z.strictObject({
  modId: contentId,
  position: slug,
  format: slug,
});
type AddAdSlotData = z.infer<typeof AddAdSlot>;

interface SlotRow {
  id: number;
  position: string;
  format: string;
}

export default defineHandler<AddAdSlotData>({
  type: "ADD_AD_SLOT",
  tier: 2,
  schema: AddAdSlot,

  async validate(ctx, data) {
    if (!(await lockMod(ctx, data.modId))) return invalid(`mod ${data.modId} not found`);
    const { rows } = await ctx.db.query<SlotRow>(
      "select format from content.ad_slots where mod_id = $1 and position = $2",
      [data.modId, data.position],
    );
    if (rows[0])
      return invalid(`mod ${data.modId} already has an ad slot at ${data.position} (${rows[0].format})`);
    return VALID;
  },

  async prepareRollback(_ctx, data) {
    return { modId: data.modId };
  },

  async execute(ctx, data) {
    const { rows } = await ctx.db.query<SlotRow>(
      "insert into content.ad_slots (mod_id, position, format, action_id) values ($1, $2, $3, $4) returning id, position, format",
      [data.modId, data.position, data.format, ctx.actionId],
    );
    const slot = rows[0] as SlotRow;
    return {
      output: { modId: data.modId, adSlot: { ...slot } },
      rollbackData: { adSlotId: slot.id, slotAfter: { ...slot } },
    };
  },

  async affected(ctx, data) {
    const { rows } = await ctx.db.query<{ slots: Json }>(
      `select coalesce(jsonb_agg(jsonb_build_object('position', position, 'format', format) order by position), '[]') as slots
       from content.ad_slots where mod_id = $1`,
      [data.modId],
    );
    return { adSlots: rows[0]?.slots ?? [] };
  },

  async conflicts(ctx, rollbackData) {
    const { rows } = await ctx.db.query<SlotRow>(
      "select id, position, format from content.ad_slots where id = $1 for update",
      [rollbackData.adSlotId],
    );
    const slot = rows[0];
    if (!slot) return [`ad slot ${rollbackData.adSlotId} was already removed`];
    const after = rollbackData.slotAfter as unknown as SlotRow;
    return slot.position === after.position && slot.format === after.format
      ? []
      : [
          `ad slot ${slot.id} changed since the execution: now ${slot.position}/${slot.format}, was ${after.position}/${after.format}`,
        ];
  },

  async rollback(ctx, rollbackData) {
    await ctx.db.query("delete from content.ad_slots where id = $1", [rollbackData.adSlotId]);
  },
});
