/**
 * The demo shop as shoppers use it, in real Chromium against the real
 * Worker: two shoppers with different tastes get different home pages; a
 * shopper searches, filters, fills a cart and buys (each step tracked once,
 * the purchase with its order id and value); a returning shopper is reminded
 * of the cart they left. Every page passes axe-core's WCAG 2.1 AA rules at
 * desktop and phone widths, and the pages people look at first are written
 * as screenshots (tests/browser/screenshots.ts).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { expectAccessible } from './axe';
import { screenshotBoth, WIDTHS } from './screenshots';
import { kvSnapshot, perTestPage, recordApi, settledSlot, storedVisitorId, type ApiCall } from './support';

const base = inject('baseURL');
const categoryOf = (id: string) => PRODUCTS.find((p) => p.id === id)?.category;
const idsIn = (category: string) => PRODUCTS.filter((p) => p.category === category).map((p) => p.id);

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];

perTestPage((fresh) => ({ context, page, calls } = fresh));

/**
 * The events the SDK sent, each once, in order: delivery is at least once (a page left while its
 * batch was on the way sends it again by beacon), and the Worker counts each event id once.
 */
function events(from: ApiCall[]): Array<{ id: string; type: string; [k: string]: unknown }> {
  const sent = from.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events as Array<{ id: string; type: string }>);
  return [...new Map(sent.map((e) => [e.id, e])).values()];
}

/** Sends what the SDK has queued and waits until the Worker has answered. */
async function flushed(on: Page): Promise<void> {
  await on.evaluate(() => (window as unknown as { rapport: (m: string) => Promise<void> }).rapport('flush'));
}

/** Opens the shop in `on` and accepts both purposes from its banner. */
async function accept(on: Page): Promise<void> {
  await on.goto(`${base}/`);
  await on.getByRole('button', { name: 'Accept all' }).click();
}

/** Views `items` one after another, each page's events delivered before the next. */
async function browse(on: Page, items: readonly string[]): Promise<void> {
  for (const id of items) {
    const sent = on.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());
    await on.goto(`${base}/p/${id}`);
    await sent;
  }
}

describe('the demo shop', () => {
  it('shows two shoppers with different tastes different home pages, each led by what they browsed', async () => {
    const other = await context.browser()!.newContext();
    try {
      const second = await other.newPage();
      const tastes = [
        { page, category: 'laptops' },
        { page: second, category: 'womens-dresses' },
      ];
      const homes: string[][] = [];
      for (const shopper of tastes) {
        await accept(shopper.page);
        await browse(shopper.page, idsIn(shopper.category).slice(0, 3));
        await shopper.page.goto(`${base}/`);
        const slot = await settledSlot(shopper.page, 'recommended');
        expect(slot.state).toBe('filled');
        expect(await shopper.page.locator('[data-rapport-slot="recommended"] [data-rapport-title]').textContent()).toBe('Recommended for you');
        // Led by their category; diversity keeps any one category to half of the 4 items.
        expect(slot.items.slice(0, 2).map(categoryOf)).toEqual([shopper.category, shopper.category]);
        // Each item says why, in words naming what they looked at, not "popular".
        for (const reason of slot.reasons) expect(reason).not.toMatch(/^Popular/);
        homes.push(slot.items);
      }
      expect(homes[0]!.filter((id) => homes[1]!.includes(id))).toEqual([]);
      await page.locator('[data-rapport-slot="recommended"] details.why').first().locator('summary').click();
      await expectAccessible(page, 'the personalized home page');
      await screenshotBoth(page, 'home');

      // What the privacy centre shows this shopper: their id and the laptops they viewed, by name.
      await page.goto(`${base}/privacy`);
      await page.getByRole('button', { name: 'Show what is stored about me', exact: true }).click();
      const shown = page.locator('[data-privacy-export-result]');
      await expect.poll(() => shown.innerText(), { timeout: 10_000 }).toContain(PRODUCTS.find((p) => p.id === idsIn('laptops')[0])!.title);
      await screenshotBoth(page, 'privacy');
    } finally {
      await other.close();
    }
  });

  it('lets a shopper search, filter, fill a cart and buy, tracking each step once and the purchase with its order id and value', async () => {
    await accept(page);
    await flushed(page);

    await page.getByRole('searchbox', { name: 'Search the shop' }).fill('laptop');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL('**/search?q=laptop');
    await expect.poll(() => events(calls).filter((e) => e.type === 'search')).toEqual([expect.objectContaining({ query: 'laptop' })]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Results for “laptop”');
    await expectAccessible(page, 'search results');

    await page.goto(`${base}/c/smartphones`);
    await page.getByLabel('Sort by').selectOption('price-asc');
    await page.getByLabel('In stock only').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/sort=price-asc/);
    const prices = await page.locator('.results .card .price').allTextContents();
    const amounts = prices.map((p) => Number(p.replace(/[^0-9.]/g, '')));
    expect(amounts.length).toBeGreaterThan(3);
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
    await expectAccessible(page, 'a filtered category');

    const item = PRODUCTS.find((p) => p.category === 'smartphones' && p.stock > 0)!;
    await page.goto(`${base}/p/${item.id}`);
    await page.getByLabel('Quantity').selectOption('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-added]').textContent()).toContain('2 in your cart');
    expect(await page.locator('[data-cart-count]').textContent()).toBe('2');
    await expect
      .poll(() => events(calls).filter((e) => e.type === 'add_to_cart'))
      .toEqual([expect.objectContaining({ item: item.id, qty: 2, price: item.price, currency: 'USD' })]);
    await settledSlot(page, 'together');
    await expectAccessible(page, 'a product page');
    await screenshotBoth(page, 'product');

    await page.goto(`${base}/cart`);
    const complete = await settledSlot(page, 'complete-cart');
    expect(complete.state).toBe('filled');
    expect(complete.items).not.toContain(item.id);
    await expectAccessible(page, 'the cart');
    await screenshotBoth(page, 'cart');

    await page.getByRole('link', { name: 'Go to checkout' }).click();
    await page.getByRole('button', { name: /^Place order/ }).click();
    // Refused with every field named, and the first one to correct reachable from the summary.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Please correct 3 fields');
    await expectAccessible(page, 'the checkout with errors');
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Delivery address').fill('1 Analytical Street');
    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.waitForURL('**/order/*');
    const order = (await page.locator('[data-order-id]').textContent())!;
    await expect
      .poll(() => events(calls).filter((e) => e.type === 'purchase'))
      .toEqual([expect.objectContaining({ items: [item.id], order, value: Math.round(item.price * 2 * 100) / 100, currency: 'USD' })]);
    expect(events(calls).filter((e) => e.type === 'checkout').length).toBe(1);
    expect(await page.locator('[data-cart-count]').textContent()).toBe('0');
    await expectAccessible(page, 'the order confirmation');

    // A reload shows the order again and buys nothing twice.
    await page.reload();
    await flushed(page);
    expect(await page.locator('[data-order-id]').textContent()).toBe(order);
    expect(events(calls).filter((e) => e.type === 'purchase')).toHaveLength(1);
  });

  it('reminds a returning shopper of the items they left in the cart', async () => {
    await accept(page);
    const [item] = idsIn('furniture');
    await browse(page, [item!]);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => events(calls).some((e) => e.type === 'add_to_cart')).toBe(true);
    await flushed(page);
    const vid = (await storedVisitorId(page))!;
    await page.close();

    // Another day, another tab: a new session.
    page = await context.newPage();
    calls = recordApi(page);
    await browse(page, idsIn('furniture').slice(1, 2));
    // Coming back and the cart are what decisions use: the Worker writes them to KV at once.
    await expect.poll(() => (kvSnapshot(vid) as { n?: { sessions: number }; cart?: string[] } | null)?.n?.sessions, { timeout: 10_000, interval: 300 }).toBe(2);
    await page.goto(`${base}/`);
    await settledSlot(page, 'hero');
    const hero = page.locator('[data-rapport-slot="hero"]');
    expect(await hero.locator('[data-rapport-field="title"]').textContent()).toBe('Your cart is still waiting');
    expect(await hero.locator('a[data-rapport-field="url"]').getAttribute('href')).toBe('/cart');
    await hero.getByText('Why am I seeing this?').click();
    expect(await hero.locator('[data-rapport-field="reason"]').textContent()).toBe('Because you came back with items still in your cart');
  });

  it('passes axe-core at phone width on every kind of page, and its skip link moves focus to the content', async () => {
    await page.setViewportSize(WIDTHS.mobile);
    await page.goto(`${base}/p/1`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    for (const path of ['/', '/categories', '/c/laptops?sort=rating', '/search?q=watch', '/search?q=zzzz', '/p/1', '/cart', '/checkout', '/licences', '/no-such-page']) {
      await page.goto(`${base}${path}`);
      await expectAccessible(page, `${path} at phone width`);
    }
    // The licence notices the Licences page links are served.
    for (const [link, text] of [['its licence notice', 'The MIT License'], ['its text', 'Apache License']] as const) {
      await page.goto(`${base}/licences`);
      const href = (await page.getByRole('link', { name: link }).getAttribute('href'))!;
      expect(await (await page.request.get(`${base}${href}`)).text()).toContain(text);
    }
    // With the banner answered, the first Tab reaches the skip link.
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.reload();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });
});
