/**
 * Simulated shoppers with known tastes (`npm run simulate`): who they are,
 * how they walk a shop, and how they react to what it recommends. Pure and
 * seeded: the same seed gives the same shoppers, and the same shopper shown
 * the same items makes the same choices.
 *
 * The model, every number of it here:
 * - **Related items** (one latent structure, shared by all shoppers, fixed by
 *   the seed): each category's items are shuffled into a ring; an item's
 *   related items are the next two on its ring. The *order* of views is
 *   therefore learnable from sessions, and popularity says nothing about it.
 * - **Taste**: 1, 2 or 3 categories (35 / 40 / 25 %), drawn uniformly (so no
 *   item is popular overall), with weights `0.2 + U(0,1)`, normalised.
 * - **Consent**: 90 % grant analytics and personalization; 10 % analytics
 *   only (they are never shown recommendations, as the SDK asks for none).
 * - **A session**: 3–8 product views (uniform). It starts at a uniform item of
 *   a category drawn by taste weight; from item `x` the next view is
 *   related[0] with p 0.6, related[1] with p 0.2, a uniform item of a
 *   taste-weighted category with p 0.15, and any item of the catalog
 *   (noise) with p 0.05.
 * - **Clicks**: on a page of item `x` showing the `n` recommended items `R`,
 *   the shopper clicks item `r ∈ R` with probability `0.6 · fit(r) / n` (at
 *   most one click per page), where `fit(r)` = 1 when `r` is one of `x`'s
 *   related items, `0.5 · w(category of r) / max w` when its category is in
 *   the taste, and 0 otherwise. A click replaces the walk's own step: the
 *   next page is `r`, and the walk goes on from there.
 * - **Carts**: after each view the shopper adds the item to the cart with p
 *   0.12 in a taste category, 0.02 outside it (quantity 1, 10 % of the time 2).
 *   A session that ends with a cart is bought with p 0.6 (checkout, then a
 *   purchase with its value in USD) and abandoned otherwise; the next session
 *   starts with an empty cart.
 * - **Returns**: after each session the shopper comes back (same visitor id,
 *   new session id) with p 0.5, for at most 4 sessions.
 * - **Held back**: one more session per shopper, walked the same way without
 *   recommendations, is never sent: it measures next-item predictions.
 */
import { LIMITS } from '../../../sdk/src/wire';
import { seededRandom } from '../../src/model/random';

/** What the simulation needs of a catalog item (a catalog feed has more). */
export interface ShopItem {
  id: string;
  category: string;
  price: number;
  /** The product page's path or URL. */
  url: string;
}

/** A shopper's known taste and plan, fixed by the seed. */
export interface Shopper {
  /** Position in the run: also what their random streams are seeded from. */
  index: number;
  /** Categories and their weights (summing to 1). */
  taste: Array<{ category: string; weight: number }>;
  personalization: boolean;
  /** Product views of each session they will have (the walk decides which items). */
  sessionLengths: number[];
  /** The session that is never sent, item ids in order. */
  heldBack: string[];
  /** Their choices: walk steps, clicks, carts, orders. */
  random: () => number;
  /** Their network, apart from their choices: which batches lose their acknowledgement and are sent again. */
  network: () => number;
}

/** The catalog as the walk reads it. */
export interface World {
  items: readonly ShopItem[];
  byId: ReadonlyMap<string, ShopItem>;
  byCategory: ReadonlyMap<string, readonly ShopItem[]>;
  /** Each item's two related items (next on its category's ring). */
  related: ReadonlyMap<string, readonly [string, string]>;
}

const TASTE_SIZES = [0.35, 0.4, 0.25];
const PERSONALIZATION_SHARE = 0.9;
const SESSION_VIEWS = { min: 3, max: 8 };
const STEP = { related0: 0.6, related1: 0.2, jump: 0.15 };
const CLICK_SCALE = 0.6;
const OFF_RELATED_FIT = 0.5;
const ADD_TO_CART = { taste: 0.12, other: 0.02, twoOf: 0.1 };
const PURCHASE_SHARE = 0.6;
const RETURN_SHARE = 0.5;
const MAX_SESSIONS = 4;

/**
 * The path of an item's page, as events carry it.
 * @example pagePath({ url: 'https://shop.example/p/42?ref=x' }) // '/p/42'
 */
export const pagePath = (item: Pick<ShopItem, 'url'>): string => new URL(item.url, 'http://shop.invalid').pathname.slice(0, LIMITS.pathLength);

/** Integers in [0, n). */
const below = (n: number, random: () => number) => Math.floor(random() * n);

/** A fresh, seeded order of `items` (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = below(i + 1, random);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A seed for stream `stream` of shopper `index`: distinct streams never share a sequence. */
const streamSeed = (seed: number, index: number, stream: number) => Math.imul(seed ^ 0x9e3779b9, 31) + index * 7919 + stream * 104_729;

/**
 * The catalog with its related-items structure, fixed by `seed`.
 * @param items the catalog (categories with at least one item)
 * @param seed any integer
 * @example const world = buildWorld(catalogFeed, 1);
 */
export function buildWorld(items: readonly ShopItem[], seed: number): World {
  const random = seededRandom(streamSeed(seed, -1, 0));
  const byCategory = new Map<string, ShopItem[]>();
  for (const item of items) byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item]);
  const related = new Map<string, readonly [string, string]>();
  for (const category of [...byCategory.keys()].sort()) {
    const ring = shuffled(byCategory.get(category)!, random);
    ring.forEach((item, i) => related.set(item.id, [ring[(i + 1) % ring.length]!.id, ring[(i + 2) % ring.length]!.id]));
  }
  return { items, byId: new Map(items.map((item) => [item.id, item])), byCategory, related };
}

function pickCategory(shopper: Pick<Shopper, 'taste'>, random: () => number): string {
  let r = random();
  for (const { category, weight } of shopper.taste) if ((r -= weight) <= 0) return category;
  return shopper.taste[shopper.taste.length - 1]!.category;
}

function uniformIn(world: World, category: string, random: () => number): string {
  const items = world.byCategory.get(category)!;
  return items[below(items.length, random)]!.id;
}

/**
 * Where a session starts: a uniform item of a category drawn by taste.
 * @example const first = firstView(world, shopper, shopper.random);
 */
export function firstView(world: World, shopper: Pick<Shopper, 'taste'>, random: () => number): string {
  return uniformIn(world, pickCategory(shopper, random), random);
}

/**
 * The shopper's own next view after `item` (no recommendation clicked).
 * @example const next = nextView(world, shopper, 'sku-1', shopper.random);
 */
export function nextView(world: World, shopper: Pick<Shopper, 'taste'>, item: string, random: () => number): string {
  const r = random();
  const [first, second] = world.related.get(item)!;
  if (r < STEP.related0) return first;
  if (r < STEP.related0 + STEP.related1) return second;
  if (r < STEP.related0 + STEP.related1 + STEP.jump) return firstView(world, shopper, random);
  return world.items[below(world.items.length, random)]!.id;
}

/**
 * Where the shopper goes after the `viewed`-th page of a session planned at
 * `length` views, on item `item`: the item they clicked (even after the
 * last planned page), else their own next view while the session lasts;
 * undefined when it ends (at the latest after `LIMITS.recentItems` views).
 * @example const next = afterPage(world, shopper, 'sku-1', undefined, views.length, 5);
 */
export function afterPage(world: World, shopper: Pick<Shopper, 'taste' | 'random'>, item: string, clicked: string | undefined, viewed: number, length: number): string | undefined {
  if (viewed >= LIMITS.recentItems) return undefined;
  return clicked ?? (viewed < length ? nextView(world, shopper, item, shopper.random) : undefined);
}

/**
 * What a cart costs (item → quantity), rounded to cents.
 * @example cartValue(world, new Map([['sku-1', 2]]))
 */
export function cartValue(world: World, cart: ReadonlyMap<string, number>): number {
  return Math.round([...cart].reduce((sum, [id, qty]) => sum + world.byId.get(id)!.price * qty, 0) * 100) / 100;
}

/** A session of `length` views walked without recommendations. */
function walk(world: World, shopper: Pick<Shopper, 'taste'>, length: number, random: () => number): string[] {
  const views = [firstView(world, shopper, random)];
  while (views.length < length) views.push(nextView(world, shopper, views[views.length - 1]!, random));
  return views;
}

/**
 * How well recommended item `candidate` fits the shopper on the page of
 * `item`: 1 for one of its related items, up to 0.5 in a taste category
 * (by weight), else 0.
 * @example fit(world, shopper, 'sku-1', 'sku-2') // 1 when sku-2 is related to sku-1
 */
export function fit(world: World, shopper: Pick<Shopper, 'taste'>, item: string, candidate: string): number {
  if (world.related.get(item)?.includes(candidate)) return 1;
  const category = world.byId.get(candidate)?.category;
  const weight = shopper.taste.find((t) => t.category === category)?.weight ?? 0;
  return (OFF_RELATED_FIT * weight) / Math.max(...shopper.taste.map((t) => t.weight));
}

/**
 * The recommended item the shopper clicks on the page of `item`, if any:
 * each of the `shown` items with probability `0.6 · fit / shown.length`.
 * One draw, whatever is shown.
 * @example const clicked = chooseClick(world, shopper, 'sku-1', ['sku-2', 'sku-9'], shopper.random);
 */
export function chooseClick(world: World, shopper: Pick<Shopper, 'taste'>, item: string, shown: readonly string[], random: () => number): string | undefined {
  let r = random();
  for (const candidate of shown) if ((r -= (CLICK_SCALE * fit(world, shopper, item, candidate)) / shown.length) < 0) return candidate;
  return undefined;
}

/**
 * How many of `item` the shopper puts in the cart after viewing it (0: none). One draw.
 * @example const qty = cartQuantity(world, shopper, 'sku-1', shopper.random);
 */
export function cartQuantity(world: World, shopper: Pick<Shopper, 'taste'>, item: string, random: () => number): number {
  const inTaste = shopper.taste.some((t) => t.category === world.byId.get(item)?.category);
  const r = random();
  if (r >= (inTaste ? ADD_TO_CART.taste : ADD_TO_CART.other)) return 0;
  return random() < ADD_TO_CART.twoOf ? 2 : 1;
}

/**
 * Whether a session ending with a cart is bought (else abandoned). One draw.
 * @example if (buys(shopper.random)) { ... }
 */
export const buys = (random: () => number): boolean => random() < PURCHASE_SHARE;

/**
 * `count` shoppers for `world`, deterministic for `seed`: tastes, consent,
 * how many sessions of which lengths, the held-back session, and a random
 * stream of their own for the choices they make while shopping.
 * @example const shoppers = makeShoppers(buildWorld(catalog, 1), 50, 1);
 */
export function makeShoppers(world: World, count: number, seed: number): Shopper[] {
  const categories = [...world.byCategory.keys()].sort();
  return Array.from({ length: count }, (_, index) => {
    const plan = seededRandom(streamSeed(seed, index, 1));
    let r = plan();
    const drawn = TASTE_SIZES.findIndex((share) => (r -= share) < 0);
    // Rounding can leave r a hair above the last share: that draw is the last size.
    const size = Math.min(categories.length, 1 + (drawn < 0 ? TASTE_SIZES.length - 1 : drawn));
    const raw = shuffled(categories, plan)
      .slice(0, size)
      .map((category) => ({ category, weight: 0.2 + plan() }));
    const total = raw.reduce((sum, t) => sum + t.weight, 0);
    const taste = raw.map((t) => ({ category: t.category, weight: t.weight / total }));
    const personalization = plan() < PERSONALIZATION_SHARE;
    const length = () => SESSION_VIEWS.min + below(SESSION_VIEWS.max - SESSION_VIEWS.min + 1, plan);
    const sessionLengths = [length()];
    while (sessionLengths.length < MAX_SESSIONS && plan() < RETURN_SHARE) sessionLengths.push(length());
    const heldBack = walk(world, { taste }, length(), plan);
    return {
      index,
      taste,
      personalization,
      sessionLengths,
      heldBack,
      random: seededRandom(streamSeed(seed, index, 2)),
      network: seededRandom(streamSeed(seed, index, 3)),
    };
  });
}
