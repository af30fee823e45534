import { z } from "zod";
import { lockMod, modFieldConflict, writeMod } from "./content.ts";
import { contentId, plainText } from "./fields.ts";
import { defineHandler, invalid, VALID } from "./types.ts";

const ExpandContent = z.strictObject({
  modId: contentId,
  // Markdown: several lines, but no HTML.
  content: plainText("content", { min: 1, max: 20_000, multiline: true }),
  placement: z.enum(["end", "start"]).default("end"),
});
type ExpandContentData = z.infer<typeof ExpandContent>;

const SEPARATOR = "\n\n";

export default defineHandler<ExpandContentData>({
  type: "EXPAND_CONTENT",
  tier: 2,
  schema: ExpandContent,

  async validate(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    if (!mod) return invalid(`mod ${data.modId} not found`);
    if (mod.body.includes(data.content)) return invalid(`mod ${data.modId} already contains this text`);
    return VALID;
  },

  async prepareRollback(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    return { modId: data.modId, bodyBefore: mod?.body ?? "" };
  },

  async execute(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    const before = mod?.body ?? "";
    const addedText =
      before === ""
        ? data.content
        : data.placement === "start"
          ? data.content + SEPARATOR
          : SEPARATOR + data.content;
    const bodyAfter = data.placement === "start" ? addedText + before : before + addedText;
    await writeMod(ctx, {
      name: "autoexec_expand_content",
      text: "update content.mods set body = $2 where id = $1",
      values: [data.modId, bodyAfter],
    });
    return {
      output: { modId: data.modId, placement: data.placement, addedCharacters: data.content.length },
      rollbackData: { addedText, bodyAfter },
    };
  },

  async affected(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    return { body: mod ? mod.body : null };
  },

  conflicts(ctx, rollbackData) {
    return modFieldConflict(ctx, rollbackData.modId as number, "body", rollbackData.bodyAfter);
  },

  async rollback(ctx, rollbackData) {
    const mod = await lockMod(ctx, rollbackData.modId as number);
    if (!mod) return;
    // Unchanged since: restore the exact text. Forced over later edits: cut out only the added text,
    // from the end it was added at (an editor may have written the same words elsewhere).
    const added = rollbackData.addedText as string;
    const at = (rollbackData.bodyAfter as string).endsWith(added)
      ? mod.body.lastIndexOf(added)
      : mod.body.indexOf(added);
    const body =
      mod.body === rollbackData.bodyAfter
        ? (rollbackData.bodyBefore as string)
        : at < 0
          ? mod.body
          : mod.body.slice(0, at) + mod.body.slice(at + added.length);
    await ctx.db.query("update content.mods set body = $2 where id = $1", [mod.id, body]);
  },
});
