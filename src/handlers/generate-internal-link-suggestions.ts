import { z } from "zod";
import { lockMod } from "./content.ts";
import { contentId } from "./fields.ts";
import { defineHandler, invalid, type Json, VALID } from "./types.ts";

const GenerateInternalLinkSuggestions = z.strictObject({
  modId: contentId,
  maxSuggestions: z.number().int().min(1).max(20).default(5),
});
type GenerateInternalLinkSuggestionsData = z.infer<typeof GenerateInternalLinkSuggestions>;

/**
 * Scores every other mod by the share of stemmed words its text has in common with the source mod
 * (Jaccard similarity of their full-text lexemes) plus 0.25 per collection both belong to, and stores
 * the best ones as suggestions. Mods already suggested for this source are skipped.
 */
const SUGGEST_SQL = `
with source as (
  select tsvector_to_array(to_tsvector('english', title || ' ' || body || ' ' || coalesce(meta_description, ''))) as words
  from content.mods where id = $1
), candidates as (
  select m.id,
    tsvector_to_array(to_tsvector('english', m.title || ' ' || m.body || ' ' || coalesce(m.meta_description, ''))) as words
  from content.mods m
  where m.id <> $1
    and not exists (
      select from content.internal_link_suggestions s where s.source_mod_id = $1 and s.target_mod_id = m.id
    )
), scored as (
  select c.id,
    array(select unnest(c.words) intersect select unnest(source.words) order by 1) as shared_words,
    cardinality(c.words) + cardinality(source.words) as word_total,
    array(
      select mine.collection_id from content.collection_mods mine
      join content.collection_mods theirs using (collection_id)
      where mine.mod_id = $1 and theirs.mod_id = c.id
      order by 1
    ) as shared_collections
  from candidates c, source
), ranked as (
  select id, shared_words, shared_collections,
    round(
      coalesce(cardinality(shared_words)::numeric / nullif(word_total - cardinality(shared_words), 0), 0)
        + 0.25 * cardinality(shared_collections),
      4) as score
  from scored
  where cardinality(shared_words) >= 2 or cardinality(shared_collections) > 0
  order by score desc, id
  limit $2
)
insert into content.internal_link_suggestions (source_mod_id, target_mod_id, score, reasons, action_id)
select $1, id, score,
  jsonb_build_object('sharedWords', to_jsonb(shared_words[1:10]), 'sharedCollections', to_jsonb(shared_collections)),
  $3
from ranked
order by score desc, id
returning id, target_mod_id as "targetModId", score, reasons`;

export default defineHandler<GenerateInternalLinkSuggestionsData>({
  type: "GENERATE_INTERNAL_LINK_SUGGESTIONS",
  tier: 1,
  schema: GenerateInternalLinkSuggestions,

  async validate(ctx, data) {
    return (await lockMod(ctx, data.modId)) ? VALID : invalid(`mod ${data.modId} not found`);
  },

  async prepareRollback(_ctx, data) {
    return { modId: data.modId };
  },

  async execute(ctx, data) {
    const { rows } = await ctx.db.query<{ id: number; targetModId: number; score: number; reasons: Json }>(
      SUGGEST_SQL,
      [data.modId, data.maxSuggestions, ctx.actionId],
    );
    return {
      output: { modId: data.modId, suggestions: rows.map(({ id: _id, ...suggestion }) => suggestion) },
      rollbackData: { suggestionIds: rows.map((row) => row.id) },
    };
  },

  async affected(ctx, data) {
    const { rows } = await ctx.db.query<{ suggestions: Json }>(
      `select coalesce(jsonb_agg(jsonb_build_object('targetModId', s.target_mod_id, 'targetTitle', m.title,
                 'score', s.score, 'status', s.status) order by s.score desc, s.target_mod_id), '[]') as suggestions
       from content.internal_link_suggestions s join content.mods m on m.id = s.target_mod_id
       where s.source_mod_id = $1`,
      [data.modId],
    );
    return { linkSuggestions: rows[0]?.suggestions ?? [] };
  },

  async conflicts(ctx, rollbackData) {
    const ids = rollbackData.suggestionIds as number[];
    const { rows } = await ctx.db.query<{ id: number; status: string; target_mod_id: number }>(
      "select id, status, target_mod_id from content.internal_link_suggestions where id = any($1::bigint[]) for update",
      [ids],
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = found.get(id);
      if (!row) return [`suggestion ${id} was deleted`];
      return row.status === "suggested"
        ? []
        : [`suggestion ${id} (to mod ${row.target_mod_id}) is now ${row.status}`];
    });
  },

  async rollback(ctx, rollbackData) {
    // Only suggestions nobody has acted on yet are withdrawn; placed links are an editor's work.
    await ctx.db.query(
      "delete from content.internal_link_suggestions where id = any($1::bigint[]) and status = 'suggested'",
      [rollbackData.suggestionIds],
    );
  },
});
