/**
 * The simulated shoppers (`npm run simulate`) on the demo's catalog: a seed
 * fixes who they are and what they choose, their clicks follow the stated
 * formula, and their sessions hold what the learning loop needs — an order
 * a next-item model learns from the log, and no popularity to lean on.
 */
import { describe, expect, it } from 'vitest';
import { offlineReference, prefixes } from '../../../edge-worker/cli/simulate/held-back';
import { buildWorld, chooseClick, fit, makeShoppers, nextView, firstView } from '../../../edge-worker/cli/simulate/shoppers';
import { catalogFeed } from '../../../demo-shop/src/catalog';

const world = buildWorld(catalogFeed(), 1);

/** A shopper's planned sessions walked without recommendations: what the log would hold. */
function walked(seed: number, count: number): string[][] {
  return makeShoppers(world, count, seed).flatMap((shopper) =>
    shopper.sessionLengths.map((length) => {
      const views = [firstView(world, shopper, shopper.random)];
      while (views.length < length) views.push(nextView(world, shopper, views[views.length - 1]!, shopper.random));
      return views;
    }),
  );
}

describe('simulated shoppers', () => {
  it('are the same shoppers making the same choices for a seed, and others for another seed', () => {
    const plan = (seed: number) => makeShoppers(world, 30, seed).map(({ taste, personalization, sessionLengths, heldBack }) => ({ taste, personalization, sessionLengths, heldBack }));
    expect(plan(5)).toEqual(plan(5));
    expect(plan(5)).not.toEqual(plan(6));
    expect(walked(5, 30)).toEqual(walked(5, 30));
    // Shown the same recommendations, a shopper clicks the same ones.
    const clicks = (seed: number) => {
      const shopper = makeShoppers(world, 1, seed)[0]!;
      const item = world.byCategory.get(shopper.taste[0]!.category)![0]!.id;
      const shown = [...world.related.get(item)!, ...world.items.slice(0, 6).map((i) => i.id)];
      return Array.from({ length: 200 }, () => chooseClick(world, shopper, item, shown, shopper.random));
    };
    expect(clicks(5)).toEqual(clicks(5));
  });

  it('each have 1 to 3 categories of taste, weights summing to 1, and mostly grant personalization', () => {
    const shoppers = makeShoppers(world, 400, 2);
    for (const { taste } of shoppers) {
      expect(taste.length).toBeGreaterThanOrEqual(1);
      expect(taste.length).toBeLessThanOrEqual(3);
      expect(taste.reduce((sum, t) => sum + t.weight, 0)).toBeCloseTo(1, 9);
    }
    const share = shoppers.filter((s) => s.personalization).length / shoppers.length;
    expect(share).toBeGreaterThan(0.85);
    expect(share).toBeLessThan(0.95);
  });

  it('click a related item more often than a merely liked one, and an unrelated one never', () => {
    const [shopper] = makeShoppers(world, 1, 3);
    const item = world.byCategory.get(shopper!.taste[0]!.category)![0]!.id;
    const [related] = world.related.get(item)!;
    const liked = world.byCategory.get(shopper!.taste[0]!.category)!.find((i) => !world.related.get(item)!.includes(i.id) && i.id !== item);
    const unrelated = world.items.find((i) => !shopper!.taste.some((t) => t.category === i.category))!.id;
    expect(fit(world, shopper!, item, related)).toBe(1);
    expect(fit(world, shopper!, item, unrelated)).toBe(0);
    // 0.6 · fit / n per item shown: a related item alone among four is clicked 15 % of the time.
    const random = Math.random;
    const trials = 20_000;
    const clicks = (shown: string[], target: string) => Array.from({ length: trials }, () => chooseClick(world, shopper!, item, shown, random)).filter((c) => c === target).length / trials;
    expect(clicks([related, unrelated, unrelated, unrelated], related)).toBeCloseTo(0.15, 1);
    if (liked) expect(clicks([liked.id, unrelated], liked.id)).toBeLessThan(clicks([related, unrelated], related));
    expect(clicks([unrelated, unrelated], unrelated)).toBe(0);
  });

  it('leave a log a next-item model learns from, where popularity is poor', () => {
    const log = walked(11, 300);
    const heldBack = makeShoppers(world, 100, 12).map((s) => s.heldBack);
    const { popularity, nextClicks } = offlineReference(world, log, prefixes(heldBack));
    expect(popularity.hr20).toBeLessThan(25);
    expect(nextClicks.hr20).toBeGreaterThan(2 * popularity.hr20);
    expect(nextClicks.mrr20).toBeGreaterThan(3 * popularity.mrr20);
  });
});
