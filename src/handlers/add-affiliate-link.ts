import { z } from "zod";
import { lockMod, modFieldConflict, writeMod } from "./content.ts";
import { contentId } from "./fields.ts";
import { defineHandler, type HandlerContext, invalid, type Json, VALID, type Validation } from "./types.ts";

const AddAffiliateLink = z.strictObject({
  modId: contentId,
  // Printable ASCII only: the URL parser silently drops tabs and line breaks and maps look-alike
  // characters, so what an admin reads would not be what is stored.
  affiliateUrl: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[\x21-\x7e]+$/, "affiliateUrl must be printable ASCII without spaces (hosts in punycode)"),
  // A network name; validate() checks it is the network of the URL's host (autoexec.affiliate_hosts).
  affiliateType: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, "affiliateType must be a network name such as amazon or steam"),
  position: z.enum(["sidebar", "inline", "header", "footer"]).default("sidebar"),
});
type AddAffiliateLinkData = z.infer<typeof AddAffiliateLink>;

interface AllowedHost {
  path_matches: boolean;
  network: string | null;
  required_params: Record<string, string>;
}

/**
 * Accepts only an https URL whose host is exactly an allowlisted one (autoexec.affiliate_hosts), so
 * "https://evil.example/?amazon.com" or "https://amazon.com.evil.example" are refused.
 * Returns the URL in canonical form, or the reason it is refused (also when `type` is not the host's
 * network).
 */
export async function checkAffiliateUrl(
  ctx: HandlerContext,
  raw: string,
  type: string,
): Promise<{ url: string } | { reason: string }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: `affiliateUrl is not a valid URL: ${JSON.stringify(raw.slice(0, 200))}` };
  }
  if (url.protocol !== "https:")
    return { reason: `affiliateUrl must use https, not ${url.protocol.slice(0, -1)}` };
  if (url.username || url.password) return { reason: "affiliateUrl must not carry a user name or password" };
  if (url.port) return { reason: "affiliateUrl must not name a port" };
  const { rows } = await ctx.db.query<AllowedHost>({
    // Named: prepared once per connection, as every statement on the execution's hot path.
    name: "autoexec_affiliate_host",
    text: "select $2 ~ path_pattern as path_matches, network, required_params from autoexec.affiliate_hosts where host = $1",
    values: [url.hostname, url.pathname],
  });
  const allowed = rows[0];
  if (!allowed)
    return { reason: `host ${url.hostname} is not on the affiliate allowlist (autoexec.affiliate_hosts)` };
  if (!allowed.path_matches)
    return { reason: `the path ${url.pathname} is not an affiliate page of ${url.hostname}` };
  if (allowed.network !== null && allowed.network !== type)
    return { reason: `affiliateType ${type} is not the network of ${url.hostname} (${allowed.network})` };
  for (const [name, value] of Object.entries(allowed.required_params)) {
    // A second value (?tag=ours&tag=theirs) could be the one the affiliate network honours.
    const values = url.searchParams.getAll(name);
    if (values.length > 1) return { reason: `links to ${url.hostname} must carry ${name} only once` };
    if (values[0] !== value) return { reason: `links to ${url.hostname} must carry ${name}=${value}` };
  }
  return { url: url.href };
}

function linkUrl(link: Json): string | undefined {
  return link && typeof link === "object" && !Array.isArray(link) && typeof link.url === "string"
    ? link.url
    : undefined;
}

export default defineHandler<AddAffiliateLinkData>({
  type: "ADD_AFFILIATE_LINK",
  tier: 1,
  schema: AddAffiliateLink,

  async validate(ctx, data): Promise<Validation> {
    const mod = await lockMod(ctx, data.modId);
    if (!mod) return invalid(`mod ${data.modId} not found`);
    const checked = await checkAffiliateUrl(ctx, data.affiliateUrl, data.affiliateType);
    if ("reason" in checked) return invalid(checked.reason);
    if (mod.affiliate_links.some((link) => linkUrl(link) === checked.url)) {
      return invalid(`affiliate link already exists on mod ${data.modId}`);
    }
    return VALID;
  },

  async prepareRollback(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    return { modId: data.modId, affiliateLinksBefore: mod?.affiliate_links ?? [] };
  },

  async execute(ctx, data) {
    // validate() checked the URL against the allowlist in this transaction; store its canonical form.
    const url = new URL(data.affiliateUrl).href;
    const link = {
      url,
      type: data.affiliateType,
      position: data.position,
      addedAt: new Date().toISOString(),
      addedBy: "autoexec",
      actionId: ctx.actionId,
    };
    const written = await writeMod(ctx, {
      name: "autoexec_add_affiliate_link",
      text: "update content.mods set affiliate_links = affiliate_links || jsonb_build_array($2::jsonb) where id = $1",
      values: [data.modId, JSON.stringify(link)],
    });
    return {
      output: { modId: data.modId, addedLink: link },
      rollbackData: { url, affiliateLinksAfter: written?.affiliate_links ?? [] },
    };
  },

  async affected(ctx, data) {
    const mod = await lockMod(ctx, data.modId);
    // What the page shows of each link; when and by whom it was added is the log's business.
    const shown = (link: Json) => {
      const fields = link && typeof link === "object" && !Array.isArray(link) ? link : {};
      return { url: linkUrl(link) ?? null, type: fields.type ?? null, position: fields.position ?? null };
    };
    return { affiliateLinks: mod ? mod.affiliate_links.map(shown) : null };
  },

  conflicts(ctx, rollbackData) {
    return modFieldConflict(
      ctx,
      rollbackData.modId as number,
      "affiliate_links",
      rollbackData.affiliateLinksAfter,
    );
  },

  async rollback(ctx, rollbackData) {
    // Remove exactly the link this execution added (its URL, stamped with its action); links added
    // since stay, even an editor's copy of the same URL.
    await ctx.db.query(
      `update content.mods set affiliate_links = coalesce(
         (select jsonb_agg(link order by ordinality) from jsonb_array_elements(affiliate_links) with ordinality as l(link)
          where (link ->> 'url', link ->> 'actionId') is distinct from ($2, $3)), '[]')
       where id = $1`,
      [rollbackData.modId, rollbackData.url, String(ctx.actionId)],
    );
  },
});
