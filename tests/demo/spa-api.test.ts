/** The gift finder's JSON API (demo-shop/src/spa-api.ts) in the demo Worker: its answers, and a clear 4xx for bad input. */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { MAX_LIMIT, RECIPIENTS, type GiftIdeas, type GiftProduct } from '../../demo-shop/src/spa-api';
import { call } from '../worker/helpers';

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await call(path);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json() as Promise<T>;
}

interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

describe('gift finder API', () => {
  it('lists who a gift can be for, each with categories the shop has', async () => {
    const { recipients } = await json<{ recipients: typeof RECIPIENTS }>('/api/recipients');
    expect(recipients.map((r) => r.id)).toEqual(['cook', 'foodie', 'tech', 'home', 'her', 'him', 'sporty', 'pamper']);
    const categories = new Set(PRODUCTS.map((p) => p.category));
    for (const r of recipients) {
      expect(r.categories.length).toBeGreaterThan(0);
      for (const c of r.categories) expect(categories).toContain(c.id);
    }
    expect(recipients.find((r) => r.id === 'tech')!.categories).toContainEqual({ id: 'mobile-accessories', title: 'Mobile accessories' });
  });

  it("answers a recipient's gift ideas from their categories, most popular first, at most a budget", async () => {
    const tech = RECIPIENTS.find((r) => r.id === 'tech')!.categories.map((c) => c.id);
    const all = PRODUCTS.filter((p) => tech.includes(p.category));
    const any = await json<GiftIdeas>('/api/products?for=tech');
    expect(any.total).toBe(all.length);
    expect(any.products).toHaveLength(all.length);
    expect(any.products.every((p) => tech.includes(p.category))).toBe(true);
    const popularity = any.products.map((p) => PRODUCTS.find((q) => q.id === p.id)!.popularity);
    expect(popularity).toEqual([...popularity].sort((a, b) => b - a));
    // What a list shows, not the description its own view has.
    expect(any.products[0]).toEqual({ ...any.products[0], image: `/img/${any.products[0]!.id}.svg` });
    expect(any.products[0]).not.toHaveProperty('description');

    const cheap = await json<GiftIdeas>('/api/products?for=tech&under=50');
    expect(cheap.total).toBe(all.filter((p) => p.price <= 50).length);
    expect(cheap.total).toBeGreaterThan(0);
    expect(cheap.total).toBeLessThan(any.total);
    expect(cheap.products.every((p) => p.price <= 50)).toBe(true);
  });

  it("answers the whole shop's most popular products up to a limit", async () => {
    const top = await json<GiftIdeas>('/api/products?limit=4');
    const byPopularity = [...PRODUCTS].sort((a, b) => b.popularity - a.popularity);
    expect(top.products.map((p) => p.id)).toEqual(byPopularity.slice(0, 4).map((p) => p.id));
    expect(top.total).toBe(PRODUCTS.length);
    expect((await json<GiftIdeas>('/api/products')).products).toHaveLength(MAX_LIMIT);
  });

  it('answers one product with its description', async () => {
    const product = await json<GiftProduct>('/api/products/1');
    const source = PRODUCTS.find((p) => p.id === '1')!;
    expect(product).toMatchObject({ id: '1', title: source.title, price: source.price, description: source.description, image: '/img/1.svg' });
    expect(product.categoryTitle).toBe('Beauty');
  });

  it('refuses bad queries with a 400 naming each problem', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['for=nobody', 'for', /for must be one of cook, foodie/],
      ['under=cheap', 'under', /under must be a price/],
      ['under=0', 'under', /more than 0/],
      ['under=-5', 'under', /more than 0/],
      ['limit=2.5', 'limit', /whole number/],
      ['limit=0', 'limit', /at least 1/],
      [`limit=${MAX_LIMIT + 1}`, 'limit', new RegExp(`at most ${MAX_LIMIT}`)],
      ['category=beauty', '(root)', /category/],
    ];
    for (const [query, path, message] of cases) {
      const { error } = await json<ErrorBody>(`/api/products?${query}`, 400);
      expect(error.code, query).toBe('invalid_query');
      expect(error.issues, query).toEqual([{ path, message: expect.stringMatching(message) }]);
    }
  });

  it('answers an unknown product with a 404 and a malformed id with a 400', async () => {
    expect((await json<ErrorBody>('/api/products/99999', 404)).error).toEqual({ code: 'unknown_product', message: 'No product has id 99999' });
    expect((await json<ErrorBody>('/api/products/abc', 400)).error.code).toBe('invalid_id');
  });

  it("answers paths it does not have in JSON, not with the shop's HTML page", async () => {
    expect((await json<ErrorBody>('/api/nothing-here', 404)).error.code).toBe('not_found');
    expect((await json<ErrorBody>('/api/products/1/more', 404)).error.code).toBe('not_found');
  });
});
