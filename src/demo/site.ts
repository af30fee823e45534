import type pg from "pg";

// A small mods site for the demo: believable pages with enough shared vocabulary that internal
// link suggestions find related mods, a few collections, one page edited an hour ago (so actions on
// it wait), and one page already carrying the site's maximum of affiliate links.

const GAMES = ["Stardew Valley", "Skyrim", "Minecraft", "The Sims 4", "Cities: Skylines", "Fallout 4"];
const MODS: Array<[string, string, string]> = [
  [
    "Seasons Overhaul",
    "farming seasons weather crops",
    "Reworks the four seasons with new weather, crop cycles and festivals.",
  ],
  [
    "Better Crops",
    "farming crops harvest quality",
    "Adds quality tiers, giant crops and smarter watering to every harvest.",
  ],
  [
    "Tractor Mod",
    "farming tools harvest speed",
    "A buildable tractor that tills, waters and harvests whole fields.",
  ],
  [
    "Fishing Expanded",
    "fishing rivers ocean catch",
    "Forty new fish, river spots and a reworked catch minigame.",
  ],
  [
    "Cozy Interiors",
    "furniture decoration house",
    "Two hundred furniture pieces and wallpapers for a cozy farmhouse.",
  ],
  [
    "HD Portraits",
    "portraits graphics characters",
    "Hand-painted high resolution portraits for every villager.",
  ],
  [
    "Immersive Weather",
    "weather graphics storms",
    "Volumetric fog, thunderstorms and snowfall that settles.",
  ],
  [
    "Realistic Lighting",
    "graphics lighting shadows",
    "Physically based lighting with softer shadows and warm interiors.",
  ],
  ["4K Texture Pack", "graphics textures landscapes", "Every landscape and armour texture redone at 4K."],
  [
    "Survival Needs",
    "survival hunger cold gameplay",
    "Hunger, thirst and cold that matter without getting in the way.",
  ],
  [
    "Better Combat",
    "combat gameplay weapons",
    "Directional attacks, stamina-based blocking and new finishers.",
  ],
  ["Dragon Armour Set", "armour weapons crafting", "Craftable dragon bone armour with unique set bonuses."],
  ["Quest Journal Plus", "quests interface journal", "A clearer quest journal with notes, maps and filters."],
  [
    "Village Builder",
    "building settlements crafting",
    "Build and manage your own village with shops and residents.",
  ],
  ["Modern Houses", "building furniture house", "Modern house kits with glass walls and open-plan rooms."],
  [
    "Traffic Manager",
    "traffic roads city",
    "Lane arrows, priority signs and timed traffic lights for busy roads.",
  ],
  ["Metro Overhaul", "transport metro city", "Underground metro stations, tunnels and custom train lines."],
  [
    "Realistic Population",
    "city simulation population",
    "Citizens age, move and work the way real cities do.",
  ],
  [
    "Shader Pack Ultra",
    "graphics shaders lighting",
    "Ray-traced style shaders with reflections and waving plants.",
  ],
  [
    "Biomes Expanded",
    "world generation biomes landscapes",
    "Sixty new biomes from salt flats to cherry forests.",
  ],
  [
    "Storage Helper",
    "inventory storage interface",
    "Sorts chests, links storage and searches every container at once.",
  ],
  [
    "Pets and Companions",
    "pets companions animals",
    "Adopt cats, dogs and foxes that follow you and help in fights.",
  ],
  ["Career Expansion", "careers simulation jobs", "Twelve new careers with active work days and promotions."],
  [
    "Wedding Stories",
    "relationships events family",
    "Plan weddings with venues, guests and ceremonies that can go wrong.",
  ],
  [
    "Settlement Defences",
    "building settlements combat",
    "Walls, turrets and traps to defend your settlements.",
  ],
  ["Wasteland Weapons", "weapons combat crafting", "Forty hand-made weapons that fit the wasteland look."],
  ["Radio Stations", "music audio radio", "Three new radio stations with hosts and period music."],
  ["Sprint and Slide", "movement gameplay combat", "Sprinting, sliding and vaulting with smooth animations."],
  [
    "Fast Travel Carriages",
    "travel transport gameplay",
    "Carriages and boats between every hold, with scenic routes.",
  ],
  [
    "Alchemy Reworked",
    "alchemy crafting potions",
    "A deeper alchemy system with rare ingredients and experiments.",
  ],
  ["Library of Books", "books lore quests", "Three hundred readable books and a quest to collect them."],
  ["Night Sky", "graphics sky stars", "A realistic night sky with constellations and auroras."],
];

const COLLECTIONS: Array<[string, string, string, string]> = [
  ["farming-essentials", "Farming essentials", "Everything for a deeper farm life.", "farming"],
  ["graphics-overhaul", "Graphics overhaul", "Make the game look its best.", "graphics"],
  ["city-builders", "City builders", "For players who plan every road.", "city"],
  ["combat-and-weapons", "Combat and weapons", "Sharper fights and better gear.", "combat"],
  ["cozy-homes", "Cozy homes", "Decorate, build and settle in.", "house"],
];

/** The site's maximum number of affiliate links on a page (see migration 008). */
export const AFFILIATE_LINK_LIMIT = 12;

export async function seedDemoSite(
  db: pg.PoolClient | pg.Pool,
): Promise<{ mods: number; collections: number }> {
  for (const [index, [title, tags, summary]] of MODS.entries()) {
    const game = GAMES[index % GAMES.length];
    const slug = title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
    const body = `${summary}\n\nA ${tags} mod for ${game}. ${summary} Compatible with the latest patch.`;
    // The first page was edited an hour ago, so Tier 1 actions on it wait for the 24-hour quiet period.
    const editedAgo = index === 0 ? "1 hour" : "3 days";
    await db.query(
      `insert into content.mods (slug, title, body, externally_modified_at)
       values ($1, $2, $3, now() - $4::interval)`,
      [slug, title, body, editedAgo],
    );
  }
  // One page is already full of affiliate links: the site refuses another (the demo's failing action).
  const fullLinks = Array.from({ length: AFFILIATE_LINK_LIMIT }, (_, i) => ({
    url: `https://store.steampowered.com/app/${1000 + i}/`,
    type: "steam",
    position: "sidebar",
  }));
  await db.query(
    "update content.mods set affiliate_links = $1, externally_modified_at = now() - interval '3 days' where slug = 'village-builder'",
    [JSON.stringify(fullLinks)],
  );
  for (const [slug, title, description, tag] of COLLECTIONS) {
    await db.query(
      `with c as (insert into content.collections (slug, title, description) values ($1, $2, $3) returning id)
       insert into content.collection_mods (collection_id, mod_id, position)
       select c.id, m.id, row_number() over (order by m.id) - 1
       from c, content.mods m where m.body like '%' || $4 || '%'
       limit 4`,
      [slug, title, description, tag],
    );
  }
  return { mods: MODS.length, collections: COLLECTIONS.length };
}
