/** The demo shop's listings and search (demo-shop/src/listing.ts) and its cart cookie (cart.ts). */
import { describe, expect, it } from 'vitest';
import { readCart, formatCart, cartLines, cartTotal, MAX_QUANTITY } from '../../../demo-shop/src/cart';
import { CART_COOKIE, CART_DAYS, cartCookie, MAX_CART_LINES, parseCart, readCartCookie } from '../../../demo-shop/src/cart-cookie';
import { PRODUCTS } from '../../../demo-shop/src/catalog';
import { applyFilters, readFilters, search, type Filters } from '../../../demo-shop/src/listing';

const filters = (query: Record<string, string | string[]>, unsorted?: 'featured' | 'relevance'): Filters =>
  readFilters(
    (name) => [query[name]].flat()[0],
    (name) => (query[name] === undefined ? undefined : [query[name]].flat()),
    unsorted,
  );

describe('listing filters', () => {
  it('reads what the form sends, and treats anything unreadable as no filter', () => {
    expect(filters({ brand: ['Apple', 'Samsung'], min: '10', max: '99.5', rating: '4', stock: '1', sort: 'price-desc' })).toEqual({
      brands: ['Apple', 'Samsung'],
      min: 10,
      max: 99.5,
      rating: 4,
      inStock: true,
      sort: 'price-desc',
    });
    expect(filters({ min: 'cheap', max: '-5', rating: '9', sort: 'constructor', stock: 'yes' })).toEqual({
      brands: [],
      min: undefined,
      max: undefined,
      rating: undefined,
      inStock: false,
      sort: 'featured',
    });
    expect(filters({ min: '' }, 'relevance').sort).toBe('relevance');
  });

  it('keeps what passes every filter, in the order asked, ties by popularity', () => {
    const shown = applyFilters(PRODUCTS, filters({ min: '20', max: '200', rating: '4', stock: '1', sort: 'price-asc' }));
    expect(shown.length).toBeGreaterThan(5);
    for (const p of shown) {
      expect(p.price).toBeGreaterThanOrEqual(20);
      expect(p.price).toBeLessThanOrEqual(200);
      expect(p.rating).toBeGreaterThanOrEqual(4);
      expect(p.stock).toBeGreaterThan(0);
    }
    const kept = PRODUCTS.filter((p) => p.price >= 20 && p.price <= 200 && p.rating >= 4 && p.stock > 0);
    expect(shown).toHaveLength(kept.length);
    for (let i = 1; i < shown.length; i++) {
      const [a, b] = [shown[i - 1]!, shown[i]!];
      expect(a.price < b.price || (a.price === b.price && a.popularity >= b.popularity)).toBe(true);
    }
    const byName = applyFilters(PRODUCTS, filters({ sort: 'name' })).map((p) => p.title);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'en')));
    const apple = applyFilters(PRODUCTS, filters({ brand: 'Apple' }));
    expect(apple.length).toBeGreaterThan(0);
    expect(new Set(apple.map((p) => p.brand))).toEqual(new Set(['Apple']));
  });
});

describe('search', () => {
  it('matches every word at the start of a word, titles first, and nothing for no words', () => {
    const found = search(PRODUCTS, 'iPhone');
    expect(found.length).toBeGreaterThan(1);
    expect(found.every((p) => /iphone/i.test(p.title))).toBe(true);
    // Both words must match: a brand and a category narrow each other down.
    const narrowed = search(PRODUCTS, 'apple laptop');
    expect(narrowed.length).toBeGreaterThan(0);
    expect(narrowed.length).toBeLessThan(search(PRODUCTS, 'apple').length);
    expect(search(PRODUCTS, '   ')).toEqual([]);
    expect(search(PRODUCTS, 'zzzqqq')).toEqual([]);
    // Accents and case do not matter.
    expect(search(PRODUCTS, 'IPHÓNE')).toEqual(found);
  });
});

describe('the cart cookie', () => {
  it('reads back what it wrote, and leaves out what it cannot trust', () => {
    const cart = new Map([
      ['1', 2],
      ['5', 1],
    ]);
    expect(readCart(formatCart(cart))).toEqual(cart);
    expect(readCart('1:2.99999:1.5:0.7:x.:3.6:1000')).toEqual(new Map([['1', 2], ['6', MAX_QUANTITY]]));
    expect(readCart(undefined)).toEqual(new Map());
  });

  it('is read and written in the browser as the server reads and writes it (one format, cart-cookie.ts)', () => {
    const cart = new Map([
      ['1', 2],
      ['unsold', 1],
    ]);
    const assigned = cartCookie(cart);
    expect(assigned).toMatch(new RegExp(`^${CART_COOKIE}=[^;]+; path=/; max-age=${CART_DAYS * 86_400}; samesite=lax$`));
    // What document.cookie then holds, among other cookies: the page reads the whole cart, the server only what is sold.
    const documentCookie = `other=1; ${assigned.split(';')[0]}; more=2`;
    expect(readCartCookie(documentCookie)).toEqual(cart);
    expect(readCart(decodeURIComponent(/demo_cart=([^;]*)/.exec(documentCookie)![1]!))).toEqual(new Map([['1', 2]]));
    expect(readCartCookie('other=1')).toEqual(new Map());
    // At most 30 lines, however many the cookie names.
    expect(parseCart(Array.from({ length: 40 }, (_, i) => `${i}:1`).join('.')).size).toBe(MAX_CART_LINES);
  });

  it('prices lines and the total in cents', () => {
    const lines = cartLines(new Map([['1', 3]]));
    const price = PRODUCTS.find((p) => p.id === '1')!.price;
    expect(lines).toEqual([expect.objectContaining({ qty: 3, total: Math.round(price * 300) / 100 })]);
    expect(cartTotal(lines)).toBe(Math.round(price * 300) / 100);
  });
});
