/**
 * Browsing sessions for the demo shop's model. The open catalog the demo
 * ships has no behaviour data, so these are generated: each session browses
 * one category, and now and then a second one, most often one that goes with
 * the first (laptops and their accessories, dresses and shoes), popular
 * products more often, sometimes revisiting an item — the shape real shop
 * sessions have. Quality is measured on real data
 * (Diginetica), never on these. Orders are generated the same way: a
 * product and things that go with it (a phone and a case, a dress and shoes).
 */
import { seededRandom } from '../../edge-worker/src/model/random';
import type { Product } from './catalog';

/** Picks from `items` with probability proportional to `weight`. */
function weightedPick<T>(items: readonly T[], weight: (item: T) => number, random: () => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weight(item);
    if (r <= 0) return item;
  }
  return items[items.length - 1]!;
}

/** `count` sessions of numeric product ids, deterministic for a given seed. */
export function demoSessions(products: readonly Product[], count: number, seed = 7): number[][] {
  const random = seededRandom(seed);
  const byCategory = new Map<string, Product[]>();
  for (const p of products) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  const categories = [...byCategory.keys()];
  const related = relatedCategories();
  const weight = (p: Product) => 1 + p.popularity;
  const anyOf = (list: readonly string[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, () => {
    const first = anyOf(categories);
    // Mostly a category that goes with the first; now and then any other (shoppers wander).
    const near = (related.get(first) ?? []).filter((c) => byCategory.has(c));
    const second = near.length && random() < 0.85 ? anyOf(near) : anyOf(categories);
    const length = 2 + Math.floor(random() * 7);
    const session: number[] = [];
    for (let i = 0; i < length; i++) {
      const last = session[session.length - 1];
      if (last !== undefined && random() < 0.12) {
        session.push(last); // a second look at the same product
        continue;
      }
      const category = random() < 0.8 ? first : second;
      session.push(Number(weightedPick(byCategory.get(category)!, weight, random).id));
    }
    return session;
  });
}

/** What shoppers buy with a product of each category (the demo's "bought together" pattern). */
const GOES_WITH: Readonly<Record<string, readonly string[]>> = {
  smartphones: ['mobile-accessories'],
  tablets: ['mobile-accessories'],
  laptops: ['mobile-accessories'],
  'mens-shirts': ['mens-shoes', 'mens-watches'],
  'womens-dresses': ['womens-shoes', 'womens-bags', 'womens-jewellery'],
  tops: ['womens-bags', 'sunglasses'],
  'kitchen-accessories': ['groceries'],
  beauty: ['skin-care', 'fragrances'],
  furniture: ['home-decoration'],
  motorcycle: ['sports-accessories'],
};

/** Categories browsed alike besides what is bought together: devices, and watches of either range. */
const BROWSED_WITH: Readonly<Record<string, readonly string[]>> = {
  smartphones: ['tablets', 'laptops'],
  tablets: ['laptops'],
  vehicle: ['motorcycle'],
  'mens-watches': ['womens-watches'],
  'womens-dresses': ['tops'],
};

/** Each category's neighbours for browsing: what goes with it and what is browsed with it, both ways. */
function relatedCategories(): Map<string, string[]> {
  const related = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) related.set(x, (related.get(x) ?? new Set()).add(y));
  };
  for (const pairs of [GOES_WITH, BROWSED_WITH]) for (const [a, list] of Object.entries(pairs)) for (const b of list) link(a, b);
  return new Map([...related].map(([c, set]) => [c, [...set].sort()]));
}

/** `count` orders of numeric product ids: one product, then one or two that go with it. */
export function demoOrders(products: readonly Product[], count: number, seed = 11): number[][] {
  const random = seededRandom(seed);
  const byCategory = new Map<string, Product[]>();
  for (const p of products) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
  const anchors = products.filter((p) => GOES_WITH[p.category]?.some((c) => byCategory.has(c)));
  const weight = (p: Product) => 1 + p.popularity;
  return Array.from({ length: count }, () => {
    const anchor = weightedPick(anchors, weight, random);
    const partners = GOES_WITH[anchor.category]!.filter((c) => byCategory.has(c));
    const extra = 1 + Math.floor(random() * 2);
    const order = [Number(anchor.id)];
    for (let i = 0; i < extra; i++) {
      const category = partners[Math.floor(random() * partners.length)]!;
      // Each category's best matches for this product: a stable few, so pairs repeat across orders.
      const pool = byCategory.get(category)!.slice(0, 4);
      order.push(Number(pool[(Number(anchor.id) + i) % pool.length]!.id));
    }
    return order;
  });
}
