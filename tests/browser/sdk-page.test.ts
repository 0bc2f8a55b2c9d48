/**
 * What the page says without code, and slots as a shopper sees them, in real
 * Chromium against the real Worker, for both builds (the script tag on a
 * plain page, the npm package in a Vue app with a real router):
 * - autocapture: the product a page shows (`data-rapport-product`, also when
 *   a route renders it later or an element changes product), clicks on items
 *   (`data-rapport-item`), scroll depth at each quarter once per page, and
 *   engaged time reported for the page it was spent on; nothing before consent;
 * - slots added later (a route rendered) are decided in one request for the
 *   new route, by the script tag on its own;
 * - filling slots shifts nothing: a cumulative layout shift of 0, measured by
 *   Chromium's own layout-shift entries;
 * - each item's "why this?" is a disclosure a keyboard opens, with the
 *   Worker's reason and a link to the shop's privacy controls, and opening it
 *   is no click on the item.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { stubSnippet } from '../../sdk/src/stub';
import { BUILDS, openConsented as openShop, openSdkApp, perTestPage, PRIVACY_PATH, serveSdkApp, settledSlot, type ApiCall, type Build } from './support';

let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

interface SentEvent {
  id: string;
  type: string;
  path?: string;
  item?: string;
  depth?: number;
  ms?: number;
  decision?: string;
  slot?: string;
}

/** Every event the Worker accepted (200), in the order sent, each once. */
function accepted(): SentEvent[] {
  const seen = new Set<string>();
  return calls
    .filter((c) => c.path === '/v1/collect' && c.status === 200)
    .flatMap((c) => c.body.events as SentEvent[])
    .filter((e) => !seen.has(e.id) && seen.add(e.id));
}

function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => Promise<unknown> }).rapport(...call), call);
}

/** Opens the app page of `build` with `body`, consent given (as a returning shopper who chose it). */
const openConsented = (build: Build, body: string, options: Parameters<typeof serveSdkApp>[3] = {}) => openShop(page, build, body, options);

/**
 * Sends what is queued and waits until the Worker answered every request,
 * twice: an event tracked just before is queued (an IndexedDB write) a moment later.
 */
async function delivered(): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await page.waitForTimeout(200);
    await rapport('flush');
    await expect.poll(() => calls.every((c) => c.status !== undefined), { timeout: 10_000 }).toBe(true);
  }
}

/**
 * Goes to `path` as the page's app would: through the router for the npm
 * build; for the script tag, by pushState, then rendering `markup` at the end
 * of the body, as a single-page app of the shop's own would.
 */
async function navigate(build: Build, path: string, markup = ''): Promise<void> {
  if (build === 'npm') {
    await page.evaluate((path) => (window as unknown as { rapportRouter: { push(p: string): Promise<unknown> } }).rapportRouter.push(path), path);
  } else {
    await page.evaluate(
      ({ path, markup }) => {
        history.pushState({}, '', `/sdk-app${path}`);
        document.body.insertAdjacentHTML('beforeend', markup);
      },
      { path, markup },
    );
  }
}

/** Headless Chromium keeps its pages visible: play the tab being hidden the way the browser reports it. */
async function hideTab(): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}

/** A tall product page: the product it shows, a card of another, and room to scroll. */
const PRODUCT_PAGE = `<main data-rapport-product="78">
  <div data-rapport-item="79" id="card">Product 79</div>
  <div style="height: 4000px"></div>
</main>`;

describe.each(BUILDS)('the %s build', (build) => {
  it('tracks the product a page shows, clicks on items, scroll depth and engaged time, without code', async () => {
    await openConsented(build, PRODUCT_PAGE);
    await page.click('#card');
    for (const share of [0.3, 0.1, 0.6, 0.55, 1, 0.2, 1]) {
      await page.evaluate((share) => scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * share), share);
      await page.waitForTimeout(50);
    }
    // A second in the foreground, then the tab is hidden: its engaged time goes then.
    await page.waitForTimeout(1100);
    await hideTab();
    await delivered();

    const events = accepted();
    const path = new URL(page.url()).pathname;
    expect(events.filter((e) => e.type === 'product_view').map((e) => e.item)).toEqual(['78']);
    // A card of the shop's own, outside any slot: a click without a decision.
    expect(events.filter((e) => e.type === 'click').map(({ item, decision }) => ({ item, decision }))).toEqual([{ item: '79', decision: undefined }]);
    // Each quarter once, however the shopper scrolled back and forth.
    expect(events.filter((e) => e.type === 'scroll').map((e) => e.depth)).toEqual([25, 50, 75, 100]);
    const [engaged, ...more] = events.filter((e) => e.type === 'engagement');
    expect(more).toEqual([]);
    expect(engaged).toMatchObject({ path });
    expect(engaged!.ms).toBeGreaterThanOrEqual(1000);
    expect(engaged!.ms).toBeLessThan(30_000);
  });

  it('with autocapture off, tracks only clicks on the items slots render', async () => {
    await openConsented(build, `${PRODUCT_PAGE}<section data-rapport-slot="recommended"><p>default</p></section>`, { autocapture: false });
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    await page.click('#card');
    await page.evaluate(() => document.addEventListener('click', (e) => e.preventDefault()));
    await page.locator('[data-rapport-slot="recommended"] [data-rapport-item] a').first().click();
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(100);
    await delivered();
    // Impressions are not autocapture: the slot, on screen for a second once this test runs slower, counts one
    // (sdk-impressions.test.ts). Anything else the page did besides its view is.
    const events = accepted().filter((e) => e.type !== 'page_view' && e.type !== 'impression');
    expect(events.map(({ type, slot }) => [type, slot])).toEqual([['click', 'recommended']]);
  });

  it('tracks nothing the page says before consent', async () => {
    const { app } = await serveSdkApp(page, build, PRODUCT_PAGE);
    await openSdkApp(page, app);
    await page.click('#card');
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(1100);
    await hideTab();
    await page.waitForTimeout(500);
    expect(calls.filter((c) => c.path === '/v1/collect')).toEqual([]);
    expect(await page.evaluate(async () => ({ local: localStorage.length, session: sessionStorage.length, databases: (await indexedDB.databases()).length }))).toEqual({
      local: 0,
      session: 0,
      databases: 0,
    });
  });

  it('counts a product a route renders, once per element, again when an element changes product; scroll depth starts over', async () => {
    // Room to scroll above whatever the routes render.
    await openConsented(build, '<div style="height: 3000px"></div>');
    /** Scrolls to the top, then to the bottom of the page. */
    const scrollThrough = async () => {
      await page.evaluate(() => scrollTo(0, 0));
      await page.waitForTimeout(100);
      await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForTimeout(100);
    };
    await navigate(build, '/products/42', '<article data-rapport-product="42"></article>');
    await expect.poll(() => page.locator('[data-rapport-product="42"]').count()).toBe(1);
    await scrollThrough();
    // The same element shows another product, as a framework reusing it would.
    await page.evaluate(() => document.querySelector('[data-rapport-product]')!.setAttribute('data-rapport-product', '43'));
    // Unrelated changes to the page count nothing more.
    await page.evaluate(() => document.body.append(document.createElement('p')));
    await navigate(build, '/products/78', '<article data-rapport-product="78"></article>');
    await expect.poll(() => page.locator('[data-rapport-product="78"]').count()).toBe(1);
    await scrollThrough();
    await delivered();

    const events = accepted();
    expect(events.filter((e) => e.type === 'product_view').map(({ item, path }) => [item, path])).toEqual([
      ['42', '/sdk-app/products/42'],
      ['43', '/sdk-app/products/42'],
      ['78', '/sdk-app/products/78'],
    ]);
    // Every quarter on each route: the second route's page starts over.
    const scrolls = events.filter((e) => e.type === 'scroll');
    expect(scrolls.filter((e) => e.path === '/sdk-app/products/42').map((e) => e.depth)).toEqual([25, 50, 75, 100]);
    expect(scrolls.filter((e) => e.path === '/sdk-app/products/78').map((e) => e.depth)).toEqual([25, 50, 75, 100]);
  });

  it('reports the engaged time of a route when the shopper moves on, for the route left', async () => {
    await openConsented(build, '');
    await navigate(build, '/products/42', '<article data-rapport-product="42"></article>');
    await page.waitForTimeout(1200);
    await navigate(build, '/cart');
    await delivered();
    const engaged = accepted().filter((e) => e.type === 'engagement');
    expect(engaged.map((e) => e.path)).toEqual(['/sdk-app/products/42']);
    expect(engaged[0]!.ms).toBeGreaterThanOrEqual(1000);
  });

  it('decides a slot added well after the first second, on the same page, by itself or when the app asks', async () => {
    await openConsented(build, '<section data-rapport-slot="recommended"><p>default</p></section>');
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    // Past the first page's deadline (the stub's wait, 1 s): a component renders another slot.
    await page.waitForTimeout(1500);
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<section data-rapport-slot="similar" data-max="2"><p>default</p></section>'));
    // The script tag notices it; an app built on the npm package asks, as the README says.
    if (build === 'npm') await rapport('fill');
    const late = await settledSlot(page, 'similar');
    expect(late.state).toBe('filled');
    expect(late.items).toHaveLength(2);
    expect(calls.filter((c) => c.path === '/v1/decide').map((c) => c.body.slots.map((s: { id: string }) => s.id))).toEqual([['recommended'], ['similar']]);
  });

  it('decides the slots a new route renders in one request, about that route', async () => {
    await openConsented(build, '');
    const decides = () => calls.filter((c) => c.path === '/v1/decide');
    const before = decides().length;
    const markup = `<article data-rapport-product="42">
      <section data-rapport-slot="similar"><p>default</p></section>
      <section data-rapport-slot="recommended"><p>default</p></section></article>`;
    await navigate(build, '/products/42', build === 'npm' ? '' : markup);
    // The npm app's product route renders its own `similar` slot; the script tag notices the shop's.
    expect((await settledSlot(page, 'similar')).state).toBe('filled');
    if (build === 'script tag') expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    await page.waitForTimeout(300);
    const asked = decides().slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body.context).toMatchObject({ item: '42', path: '/sdk-app/products/42' });
    expect(asked[0]!.body.slots.map((s: { id: string }) => s.id).sort()).toEqual(build === 'npm' ? ['similar'] : ['recommended', 'similar']);
  });
});

/**
 * Slots between content, as on a product page: one drawn from a template
 * whose default shows three items of the same template and a line the answer
 * does not have (the Worker would send four items, and no such line), framed
 * by padding and a border and followed by an element without a box; and one
 * without default items whose space the shop declares in CSS.
 */
const CARD = '<article class="card"><a data-rapport-field="url"><h3 data-rapport-field="title"></h3></a><p data-rapport-field="reason"></p></article>';
const LAYOUT = `<style>
  .card { height: 80px; overflow: hidden } .declared { min-height: 400px } p.text { height: 200px; margin: 0 }
  .framed { padding: 16px; border: 1px solid }
</style>
<p class="text" data-rapport-product="78">Above the slots (the page's product)</p>
<section class="framed" data-rapport-slot="recommended"><h2 data-rapport-title>Popular</h2>
  <div data-rapport-list><template>${CARD}</template>
    ${[1, 2, 3].map((n) => `<article class="card" data-rapport-item="${n}"><a href="/p/${n}"><h3>Default ${n}</h3></a><p>bestseller</p></article>`).join('')}
    <p>See all our bestsellers</p>
  </div></section>
<template id="unrelated"></template>
<p class="text" id="below">Below the first slot</p>
<section class="declared" data-rapport-slot="similar" data-max="4"><div data-rapport-list><template>${CARD}</template></div></section>
<p class="text">Below the second slot</p>`;

describe.each(BUILDS)('the %s build fills slots without moving the page', (build) => {
  it('has a cumulative layout shift of 0 once both slots are filled', async () => {
    // Every layout shift of the page from its start, as Chromium reports it.
    await page.addInitScript(() => {
      const w = window as unknown as { shifts: number[] };
      w.shifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) if (!entry.hadRecentInput) w.shifts.push(entry.value);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    // The script tag with its stub, as a merchant pastes it.
    await openConsented(build, LAYOUT, build === 'script tag' ? { head: stubSnippet() } : {});
    const recommended = await settledSlot(page, 'recommended');
    const similar = await settledSlot(page, 'similar');
    expect([recommended.state, similar.state]).toEqual(['filled', 'filled']);
    // As many items as the default showed, in its space.
    expect(recommended.items).toHaveLength(3);
    expect(recommended.items).not.toEqual(['1', '2', '3']);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts)).toEqual([]);
  });
});

describe.each(BUILDS)('the %s build says why each item is shown', (build) => {
  it('renders a disclosure a keyboard opens, with the reason and a link to the privacy controls, and opening it is no click', async () => {
    await openConsented(build, '<section data-rapport-slot="recommended"><p>default</p></section>');
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    const item = page.locator('[data-rapport-slot="recommended"] [data-rapport-item]').first();
    const reason = item.locator('details');
    await expect.poll(() => reason.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    // From the item's link, the next stop of the keyboard is its "why this?".
    await item.locator('a').first().focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Why this?');
    await page.keyboard.press('Enter');
    expect(await reason.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    // Exposed as a disclosure: a group with its expanded button, the reason and the link.
    const snapshot = await item.ariaSnapshot();
    expect(snapshot).toMatch(/group/);
    expect(snapshot).toMatch(/Why this\?/);
    const shown = await reason.evaluate((d) => ({ text: d.textContent, href: d.querySelector('a')?.getAttribute('href') }));
    expect(shown.href).toBe(PRIVACY_PATH);
    expect(shown.text).toMatch(/^Why this\?.+ Your privacy choices$/);
    // Opening and closing it is not a click on the item; the item's own link is.
    await reason.locator('summary').click();
    await page.evaluate(() => document.addEventListener('click', (e) => e.preventDefault()));
    await item.locator('a').first().click();
    await delivered();
    const clicks = accepted().filter((e) => e.type === 'click');
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ item: await item.getAttribute('data-rapport-item'), slot: 'recommended' });
    expect(clicks[0]!.decision).toBeTruthy();
  });

  it('fills a template\'s own disclosure, in the shop\'s words', async () => {
    const own = `<article><a data-rapport-field="url"><span data-rapport-field="title"></span></a>
      <details><summary>Pourquoi ?</summary><span data-rapport-field="reason"></span> <a data-rapport-field="privacy">Vos choix</a></details></article>`;
    await openConsented(build, `<section data-rapport-slot="recommended" data-max="2"><div data-rapport-list><template>${own}</template></div></section>`);
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    const disclosures = await page.locator('[data-rapport-slot="recommended"] details').evaluateAll((all) =>
      all.map((d) => ({ summary: d.querySelector('summary')!.textContent, reason: d.querySelector('span')!.textContent, href: d.querySelector('a')!.getAttribute('href') })),
    );
    expect(disclosures).toHaveLength(2);
    for (const d of disclosures) expect(d).toEqual({ summary: 'Pourquoi ?', reason: expect.stringMatching(/\w/), href: PRIVACY_PATH });
  });
});

describe.each(BUILDS)('the %s build when the Worker is slow or down', (build) => {
  /** Everything the page reported as wrong: uncaught errors, and console errors. */
  function problems(): string[] {
    const seen: string[] = [];
    page.on('pageerror', (err) => seen.push(`uncaught: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') seen.push(`console: ${message.text()}`);
    });
    return seen;
  }

  /** A page whose own script keeps working: a button that counts its clicks. */
  const PAGE = `<section data-rapport-slot="recommended"><p>default content</p></section>
<button id="own" onclick="this.dataset.clicks = Number(this.dataset.clicks || 0) + 1">the page's own</button>`;

  it('shows the default content when the decision comes too late, and never swaps it later', async () => {
    const seen = problems();
    // The decision takes 2.5 s, past the 1 s the slot may wait.
    await page.route('**/v1/decide', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await route.continue().catch(() => undefined); // aborted by the SDK at its deadline
    });
    await openConsented(build, PAGE, build === 'script tag' ? { head: stubSnippet() } : {});
    const slot = page.locator('[data-rapport-slot="recommended"]');
    expect((await settledSlot(page, 'recommended')).state).toBe('default');
    expect(await slot.evaluate((el) => getComputedStyle(el).visibility)).toBe('visible');
    await page.waitForTimeout(2500);
    expect([await slot.getAttribute('data-rapport-state'), await slot.textContent()]).toEqual(['default', 'default content']);
    await page.click('#own');
    expect(await page.locator('#own').getAttribute('data-clicks')).toBe('1');
    expect(seen).toEqual([]);
  });

  it('shows the default content and breaks nothing when the Worker cannot be reached at all', async () => {
    const seen = problems();
    const worker = inject('baseURL');
    // Nothing from the Worker: for the script tag, not even the SDK; for the app, none of its API.
    await page.route(`${worker}/**`, (route) => route.abort('connectionrefused'));
    const { app, blank } = await serveSdkApp(page, build, PAGE, build === 'script tag' ? { head: stubSnippet() } : {});
    await page.goto(blank);
    await page.evaluate(() => localStorage.setItem('rapport_consent', JSON.stringify({ analytics: true, personalization: true })));
    await page.goto(app);
    const slot = page.locator('[data-rapport-slot="recommended"]');
    // Shown within the stub's wait (the script tag), or settled as default (the app).
    await expect.poll(() => slot.evaluate((el) => getComputedStyle(el).visibility), { timeout: 3000 }).toBe('visible');
    if (build === 'npm') expect((await settledSlot(page, 'recommended')).state).toBe('default');
    expect(await slot.textContent()).toBe('default content');
    await page.click('#own');
    expect(await page.locator('#own').getAttribute('data-clicks')).toBe('1');
    await page.waitForTimeout(1500);
    // The browser's own note of each refused connection is all there is: nothing from the page or the SDK.
    expect(seen.filter((p) => !/^console: Failed to load resource: net::ERR_CONNECTION_REFUSED$/.test(p))).toEqual([]);
  });
});
