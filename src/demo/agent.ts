import type pg from "pg";
import { withTransaction } from "../db/pool.ts";
import type { Logger } from "../logger.ts";
import { AFFILIATE_LINK_LIMIT } from "./site.ts";

/**
 * A stand-in for the monetization agent: proposes a realistic mix of actions through the agent's real
 * contract, a plain INSERT as the autoexec_agent role. The mix: mostly sound Tier 1 proposals, some
 * below the confidence threshold, some with bad data, Tier 2 and Tier 3 proposals, and now and then a
 * link for a page that is already full of links, which the site refuses every time (a failing action).
 */

export interface SimulatedAgentOptions {
  /** Connection for the INSERTs; it switches to the autoexec_agent role for each one. */
  agentPool: pg.Pool;
  /** Connection to read which mods and collections exist (the real agent knows the site). */
  sitePool: pg.Pool;
  /** For repeatable runs (tests); defaults to Math.random. */
  random?: () => number;
}

export interface SimulatedAgent {
  /** Proposes one action now; resolves to its id and type. */
  proposeOne(): Promise<{ id: number; type: string }>;
}

interface Proposal {
  type: string;
  data: Record<string, unknown>;
  confidence: number;
  impact: number;
  rateLimitKey?: string;
}

interface Site {
  modIds: number[];
  collectionIds: number[];
  fullPageId: number | undefined;
}

const STORES = [
  (n: number) => ({ url: `https://www.amazon.com/dp/B0${n}XYZ?tag=musthavemods`, type: "amazon" }),
  (n: number) => ({ url: `https://store.steampowered.com/app/${200_000 + n}/`, type: "steam" }),
  (n: number) => ({ url: `https://www.patreon.com/creator${n}`, type: "patreon" }),
];
const META = [
  "Free download, install guide and compatibility notes.",
  "The most popular version, updated for the latest patch.",
  "Screenshots, requirements and a one-click install.",
];

export function createSimulatedAgent(options: SimulatedAgentOptions): SimulatedAgent {
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (low: number, high: number) => Math.round((low + random() * (high - low)) * 100) / 100;
  let site: Site | undefined;
  let ticks = 0;

  const loadSite = async (): Promise<Site> => {
    const mods = await options.sitePool.query<{ id: number; full: boolean }>(
      "select id, jsonb_array_length(affiliate_links) >= $1 as full from content.mods order by id",
      [AFFILIATE_LINK_LIMIT],
    );
    const collections = await options.sitePool.query<{ id: number }>(
      "select id from content.collections order by id",
    );
    return {
      modIds: mods.rows.filter((mod) => !mod.full).map((mod) => mod.id),
      collectionIds: collections.rows.map((row) => row.id),
      fullPageId: mods.rows.find((mod) => mod.full)?.id,
    };
  };

  const next = (s: Site): Proposal => {
    ticks++;
    const modId = s.modIds.length ? pick(s.modIds) : 1;
    const sound = { confidence: between(0.75, 0.98), impact: between(0.2, 8) };
    if (s.fullPageId && ticks % 40 === 1) {
      return {
        type: "ADD_AFFILIATE_LINK",
        data: { modId: s.fullPageId, affiliateUrl: STORES[0]?.(ticks).url, affiliateType: "amazon" },
        ...sound,
      };
    }
    const roll = random();
    if (roll < 0.45) {
      const store = pick(STORES)(Math.floor(random() * 10_000));
      return pick<Proposal>([
        {
          type: "ADD_AFFILIATE_LINK",
          data: { modId, affiliateUrl: store.url, affiliateType: store.type },
          ...sound,
          rateLimitKey: `mod:${modId}`,
        },
        {
          type: "UPDATE_META_DESCRIPTION",
          data: { modId, metaDescription: pick(META) },
          ...sound,
          rateLimitKey: `mod:${modId}`,
        },
        {
          type: "ADD_TO_COLLECTION",
          data: { modId, collectionId: s.collectionIds.length ? pick(s.collectionIds) : 1 },
          ...sound,
        },
        { type: "GENERATE_INTERNAL_LINK_SUGGESTIONS", data: { modId, maxSuggestions: 5 }, ...sound },
      ]);
    }
    if (roll < 0.55) {
      return {
        type: "UPDATE_META_DESCRIPTION",
        data: { modId, metaDescription: pick(META) },
        confidence: between(0.4, 0.7),
        impact: between(0.05, 1),
      };
    }
    if (roll < 0.63) {
      return pick<Proposal>([
        {
          type: "ADD_AFFILIATE_LINK",
          data: {
            modId,
            affiliateUrl: "https://amazon.com.example.net/deal?tag=musthavemods",
            affiliateType: "amazon",
          },
          ...sound,
        },
        {
          type: "UPDATE_META_DESCRIPTION",
          data: { modId, metaDescription: "<b>Best mod</b> ever!!!" },
          ...sound,
        },
        { type: "ADD_TO_COLLECTION", data: { modId: String(modId) }, ...sound },
      ]);
    }
    if (roll < 0.88) {
      return pick<Proposal>([
        {
          type: "EXPAND_CONTENT",
          data: {
            modId,
            content: "## Installation\nUnzip into the mods folder and enable it in the launcher.",
          },
          ...sound,
        },
        {
          type: "ADD_AD_SLOT",
          data: {
            modId,
            position: pick(["below_download", "sidebar_top", "in_article"]),
            format: "banner_728x90",
          },
          ...sound,
        },
        {
          type: "CREATE_COLLECTION_PAGE",
          data: {
            slug: `best-picks-${ticks}`,
            title: `Best picks #${ticks}`,
            description: "Hand-picked by the agent.",
            modIds: [modId],
          },
          ...sound,
        },
      ]);
    }
    return pick<Proposal>([
      { type: "CHANGE_URL", data: { modId, to: `/mods/${modId}-renamed` }, ...sound },
      { type: "REMOVE_CONTENT", data: { modId, reason: "possible duplicate" }, ...sound },
      {
        type: "CHANGE_PRICING",
        data: { product: "premium", from: 4.99, to: 3.99 },
        ...sound,
        impact: between(20, 90),
      },
      {
        type: "EXTERNAL_API_CALL",
        data: { service: "search-console", call: "request-indexing", modId },
        ...sound,
      },
    ]);
  };

  const proposeOne = async (): Promise<{ id: number; type: string }> => {
    site ??= await loadSite();
    const proposal = next(site);
    return withTransaction(options.agentPool, async (client) => {
      await client.query("set local role autoexec_agent");
      const { rows } = await client.query<{ id: number }>(
        `insert into autoexec.actions (type, action_data, confidence, estimated_revenue_impact, rate_limit_key)
         values ($1, $2, $3, $4, $5) returning id`,
        [
          proposal.type,
          JSON.stringify(proposal.data),
          proposal.confidence,
          proposal.impact,
          proposal.rateLimitKey ?? null,
        ],
      );
      return { id: rows[0]?.id as number, type: proposal.type };
    });
  };

  return { proposeOne };
}

/** Proposes an action every `intervalMs` until stopped; failures are logged and do not stop it. */
export function proposeEvery(
  agent: SimulatedAgent,
  intervalMs: number,
  log: Logger,
): { stop(): Promise<void> } {
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = agent.proposeOne().then(
      (proposed) => log.debug(proposed, "simulated agent proposed an action"),
      (error: unknown) => log.warn({ err: error }, "simulated agent could not propose"),
    );
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
