/**
 * The demo shop's single-page section, the gift finder (/gifts), in real
 * Chromium against the demo Worker: an app with a client-side router that
 * imports Rapport's npm build (no script tag). Nothing leaves the browser
 * before consent, however much the shopper browses; once they accept, every
 * route is its own page view, a product route its product view, each view's
 * slot is filled, back and forward work, and the cart is the shop's.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { expectAccessible } from './axe';
import { perTestPage, rapportTraces, settledSlot, type ApiCall } from './support';

const base = inject('baseURL');
const tech = new Set(['smartphones', 'tablets', 'laptops', 'mobile-accessories']);

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
/** Every URL the page requested, scripts included. */
let requested: string[];

perTestPage((fresh) => {
  ({ context, page, calls } = fresh);
  requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
});

/** The events the page's collect requests carried, in order. */
const sent = () => calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events as Array<{ type: string; path: string; item?: string; qty?: number; price?: number; currency?: string }>);
const pageViews = () => sent().filter((e) => e.type === 'page_view').map((e) => e.path);
const productViews = () => sent().filter((e) => e.type === 'product_view').map((e) => [e.item, e.path]);

/** The view's heading once the route has rendered it. */
const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** What has the keyboard focus: its tag and text. */
const focused = () => page.evaluate(() => `${document.activeElement?.tagName}: ${document.activeElement?.textContent}`);

/** Opens the gift finder and waits for its first view. */
async function open(path = '/gifts') {
  await page.goto(`${base}${path}`);
  await page.locator('[data-spa-view]:not([aria-busy])').waitFor();
}

/** Long enough for the SDK's batching delay (a second) and its queue's first opening, on a busy machine. */
const SENT = { timeout: 10_000 };

const banner = (choice: 'Accept all' | 'Reject all') => page.locator('[data-consent-banner]').getByRole('button', { name: choice, exact: true });

describe('gift finder, the single-page section with the npm SDK', () => {
  it('sends nothing while the shopper browses before choosing, nor after rejecting', async () => {
    await open();
    await page.getByRole('link', { name: /For the cook/ }).click();
    await heading('Gifts for the cook').waitFor();
    await page.locator('.ideas [data-rapport-item] a').first().click();
    await page.locator('[data-rapport-product]').waitFor();
    expect((await settledSlot(page, 'recommended')).state).toBe('default');
    await page.goBack();
    await heading('Gifts for the cook').waitFor();

    await banner('Reject all').click();
    await page.getByRole('link', { name: 'Gift finder' }).first().click();
    await heading('Gift finder').waitFor();
    await page.waitForTimeout(1500); // longer than the SDK's batching delay
    expect(calls).toEqual([]);
    expect(await rapportTraces(page)).toEqual({ visitor: null, databases: [] });
    // Not even the code of the SDK's durable queue is downloaded without consent.
    expect(requested.filter((path) => path.startsWith('/js/indexeddb'))).toEqual([]);
  });

  it('counts each route as a page view with its path once the shopper accepts, and back and forward too', async () => {
    await open();
    // The npm build, bundled into the app: the script tag is not loaded, and there is no `rapport()`.
    expect(requested).toContain('/js/spa.js');
    expect(requested.filter((path) => path.startsWith('/sdk/'))).toEqual([]);
    expect(await page.evaluate(() => 'rapport' in window)).toBe(false);
    await expectAccessible(page, 'the gift finder with the banner open');

    await banner('Accept all').click();
    // The view consent was given on counts then.
    await expect.poll(pageViews, SENT).toEqual(['/gifts']);
    await expectAccessible(page, 'the gift finder');
    expect(await page.title()).toBe('Gift finder · Rapport demo shop');

    // By keyboard: the link is followed in the page, and the focus moves to the new view's heading.
    await page.getByRole('link', { name: /For the tech lover/ }).focus();
    await page.keyboard.press('Enter');
    await heading('Gifts for the tech lover').waitFor();
    await expect.poll(focused).toBe('H1: Gifts for the tech lover');
    expect(page.url()).toBe(`${base}/gifts/for/tech`);
    expect(await page.title()).toBe('Gifts for the tech lover · Rapport demo shop');
    await expectAccessible(page, 'gift ideas for the tech lover');

    // A budget is a filter: the same route (no page view), the focus stays on the budget chosen.
    await page.getByRole('navigation', { name: 'Budget' }).getByRole('link', { name: 'Under $50' }).click();
    await page.locator('.ideas-count').filter({ hasText: 'under $50' }).waitFor();
    expect(await page.locator('.ideas-count').textContent()).toMatch(/^\d+ gift ideas? under \$50$/);
    await expect.poll(focused).toBe('A: Under $50');
    const ideas = await page.locator('.ideas [data-rapport-item]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-rapport-item')!));
    expect(ideas.length).toBeGreaterThan(0);
    for (const id of ideas) {
      const product = PRODUCTS.find((p) => p.id === id)!;
      expect(tech.has(product.category) && product.price <= 50, `${id} is a tech gift under $50`).toBe(true);
    }

    const id = ideas[0]!;
    const title = PRODUCTS.find((p) => p.id === id)!.title;
    await page.locator(`.ideas [data-rapport-item="${id}"] a`).click();
    await heading(title).waitFor();
    await expect.poll(focused).toBe(`H1: ${title}`);
    expect(await page.title()).toBe(`${title} · Rapport demo shop`);
    const slot = await settledSlot(page, 'recommended');
    expect(slot.state).toBe('filled');
    expect(slot.items).toHaveLength(4);
    await expectAccessible(page, 'a product in the gift finder');

    await page.goBack();
    await heading('Gifts for the tech lover').waitFor();
    expect(page.url()).toBe(`${base}/gifts/for/tech?under=50`);
    await page.goForward();
    await heading(title).waitFor();

    const item = `/gifts/item/${id}`;
    await expect.poll(pageViews, SENT).toEqual(['/gifts', '/gifts/for/tech', item, '/gifts/for/tech', item]);
    await expect.poll(productViews, SENT).toEqual([
      [id, item],
      [id, item],
    ]);
    // The slot's decision knew the product on screen.
    const decide = calls.filter((c) => c.path === '/v1/decide').at(-1)!;
    expect(decide.body.context.item).toBe(id);
    expect(decide.body.slots).toEqual([{ id: 'recommended', max: 4 }]);
  });

  it("adds to the shop's cart and tracks it with the price", async () => {
    await open();
    await banner('Accept all').click();
    await page.getByRole('link', { name: /For some pampering/ }).click();
    const product = PRODUCTS.find((p) => p.id === '1')!;
    await page.locator('.ideas [data-rapport-item="1"] a').click();
    await heading(product.title).waitFor();

    await page.getByLabel('Quantity').selectOption('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'in your cart' }).textContent()).toBe('2 in your cart. View cart');
    expect(await page.locator('[data-cart-count]').textContent()).toBe('2');
    await expect.poll(() => sent().filter((e) => e.type === 'add_to_cart'), SENT).toEqual([
      expect.objectContaining({ item: '1', qty: 2, price: product.price, currency: 'USD', path: '/gifts/item/1' }),
    ]);

    // The shop's own cart page, rendered by the server, holds it.
    await page.getByRole('link', { name: 'View cart' }).click();
    await page.getByRole('row', { name: new RegExp(product.title) }).waitFor();
  });

  it("follows the banner playing an IAB TCF CMP, through the npm build's tcf()", async () => {
    await context.addCookies([{ name: 'demo_cmp', value: 'tcf', url: base }]);
    await open();
    await banner('Accept all').click();
    await expect.poll(pageViews, SENT).toEqual(['/gifts']);
    // Heard from the TC string: consent() would have left a choice of the SDK's own.
    expect(await page.evaluate(() => localStorage.getItem('rapport_consent'))).toBeNull();
    await page.getByRole('link', { name: /For the cook/ }).click();
    await heading('Gifts for the cook').waitFor();
    await expect.poll(pageViews, SENT).toEqual(['/gifts', '/gifts/for/cook']);
  });

  it('shows a not-found view for routes and products it does not have, and opens any route directly', async () => {
    for (const path of ['/gifts/nowhere', '/gifts/for/nobody', '/gifts/item/99999']) {
      await open(path);
      await heading('Not found').waitFor();
      expect(await page.title()).toBe('Not found · Rapport demo shop');
    }
    await expectAccessible(page, 'the not-found view');
    await page.getByRole('link', { name: 'Start again' }).click();
    await heading('Gift finder').waitFor();
    expect(page.url()).toBe(`${base}/gifts`);

    await open('/gifts/for/him?under=100');
    await heading('Gifts for him').waitFor();
    expect(await page.getByRole('link', { name: 'Under $100' }).getAttribute('aria-current')).toBe('true');
  });
});
