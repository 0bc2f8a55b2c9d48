/**
 * Delivery that loses nothing and counts nothing twice, in real Chromium
 * against the real Worker: one beacon per page exit; nothing
 * tried while the browser is offline, and everything sent as soon as it is
 * back; the wait a 429's Retry-After asks for (in seconds or as an HTTP date)
 * kept however much is tracked meanwhile; a queue that holds `MAX_QUEUED`
 * events and refuses more, saying so; and the SDK loaded or started twice
 * still sends one page view, asks one decision and counts one click per click.
 * Both builds are checked for the beacon, the queue in IndexedDB and being
 * started twice; the rest, one module in both, on the bundled build
 * (support.ts, BUNDLED).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { MAX_QUEUED } from '../../sdk/src/queue';
import { PATTERNS } from '../../sdk/src/wire';
import { acceptedEventIds, BUILDS, BUNDLED, openConsented as openShop, perTestPage, storedProfile, storedVisitorId, workerCors, type ApiCall } from './support';

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
let warnings: string[];
/** Every collect request the page made, fetch or beacon, when it left and how it was answered. */
let collects: Array<{ at: number; beacon: boolean; body: any; status?: number }>;

perTestPage((fresh) => ({ context, page, calls } = fresh));
beforeEach(() => {
  warnings = [];
  collects = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().endsWith('/v1/collect')) return;
    const entry: (typeof collects)[number] = { at: Date.now(), beacon: request.resourceType() === 'ping', body: request.postDataJSON() };
    collects.push(entry);
    request.response().then(
      (response) => (entry.status = response?.status()),
      () => undefined, // the page closed first
    );
  });
});

/** One slot, so that the page asks for a decision. */
const SLOT = '<section data-rapport-slot="recommended"><p>default</p></section>';

type Call = (...call: unknown[]) => Promise<unknown>;

/** Calls the SDK on the page, as the page's own code would. */
function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: Call }).rapport(...call), call);
}

/** The items of the events of a type that `requests` carried, in order. */
const carried = (requests: typeof collects, type = 'product_view') =>
  requests.flatMap((c) => c.body.events.filter((e: { type: string }) => e.type === type).map((e: { item?: string; query?: string }) => e.item ?? e.query));

/** Every collect request so far has been answered (a beacon's too, though its body cannot be read). */
const allAnswered = () => calls.filter((c) => c.path === '/v1/collect').every((c) => c.status !== undefined);

/**
 * Opens the app as a shopper who consented to both purposes on an earlier
 * page, and waits until the Worker has issued the visitor id (the first page
 * view delivered). Returns the id and the blank page of the app's origin.
 */
async function openConsented(build: (typeof BUILDS)[number], body = ''): Promise<{ vid: string; app: string; blank: string }> {
  const { app, blank } = await openShop(page, build, body);
  await expect.poll(() => storedVisitorId(page), { timeout: 10_000 }).toMatch(PATTERNS.visitorId);
  await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);
  return { vid: (await storedVisitorId(page))!, app, blank };
}

/** From now on every fetch to collect fails as if the Worker were unreachable; beacons still arrive. */
async function unreachableByFetch(): Promise<void> {
  await page.route('**/v1/collect', (route) => (route.request().resourceType() === 'ping' ? route.continue() : route.abort('connectionrefused')));
}

describe.each(BUILDS)('the %s build', (build) => {
  it('sends one beacon when the page is left, and the Worker counts its events once', async () => {
    // Chromium sends a leaving page's beacons after the page is gone, where neither Playwright nor
    // DevTools sees them: the page notes each one it hands to the browser in its origin's storage.
    await context.addInitScript(() => {
      const send = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        localStorage.setItem('beacons', JSON.stringify([...JSON.parse(localStorage.getItem('beacons') ?? '[]'), data]));
        return send(url, data);
      };
    });
    const { vid, blank } = await openConsented(build);
    // The Worker out of reach: the SDK is backing off when the page is left, and beacons anyway.
    await unreachableByFetch();
    await rapport('track', 'product_view', { item: '82' });
    // A real exit: Chromium fires pagehide, then visibilitychange (hidden).
    await page.goto(blank);
    const beacons = (JSON.parse((await page.evaluate(() => localStorage.getItem('beacons'))) ?? '[]') as string[]).map((text) => ({ body: JSON.parse(text) }));
    expect(beacons).toHaveLength(1);
    expect([beacons[0]!.body.vid, carried(beacons as typeof collects)]).toEqual([vid, ['82']]);
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(['82']);
    expect((await storedProfile(vid))?.counts.views).toBe(1);
  });

  it('started twice, sends one page view, asks one decision and counts one click per click and one impression', async () => {
    const worker = inject('baseURL');
    // The items are links: the test clicks without leaving the page.
    const markup = `${SLOT}<script>document.addEventListener('click', (e) => e.preventDefault())</script>`;
    // Pasted twice, the script tag: a second copy runs once the first has (its debug build, which says
    // so); or, for an app, init() called again (the same options, then others).
    const { vid } = await openConsented(build, markup);
    if (build === 'script tag') {
      await page.evaluate((worker) => {
        const again = Object.assign(document.createElement('script'), { async: true, src: `${worker}/sdk/rapport.debug.js` });
        again.dataset.endpoint = worker;
        document.head.append(again);
      }, worker);
    }
    if (build === 'npm') {
      // A string, so that the test runner leaves the page's own import() alone.
      const same = await page.evaluate(`import('@rapport/sdk').then((sdk) =>
        sdk.init({ endpoint: '${worker}', flushMs: 100 }) === sdk.init({ endpoint: '${worker}', trackPageView: true }))`);
      expect(same).toBe(true);
    } else {
      await expect.poll(() => warnings).toContain('[rapport] loaded twice');
    }
    await page.locator('[data-rapport-item] a').first().click();
    const types = () => calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events.map((e: { type: string }) => e.type));
    // The slot on screen for a second is seen (see sdk-impressions.test.ts).
    await expect.poll(() => types().includes('impression'), { timeout: 10_000 }).toBe(true);
    await rapport('flush');
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);
    await page.waitForTimeout(300);
    await rapport('flush');
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);

    expect(calls.filter((c) => c.path === '/v1/decide')).toHaveLength(1);
    expect(types().sort()).toEqual(['click', 'impression', 'page_view']);
    await expect.poll(async () => (await storedProfile(vid))?.counts.events, { timeout: 10_000, interval: 500 }).toBe(3);
  });

  // Each build says a full queue its own way; the queue without IndexedDB is one module in both.
  const queues: Array<[string, boolean]> = [['in IndexedDB', false]];
  if (build === BUNDLED) queues.push(['in memory, without IndexedDB', true]);
  describe.each(queues)('a queue %s', (_, withoutIndexedDb) => {
    it(`holds ${MAX_QUEUED} events while the Worker cannot be reached and refuses more, saying so; all it held arrive`, async () => {
      if (withoutIndexedDb) await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
      await openConsented(build);
      await context.setOffline(true);
      const recorded = await page.evaluate(async (n) => {
        const rapport = (window as unknown as { rapport: Call }).rapport;
        const results = [];
        for (let i = 0; i < n; i++) results.push(await rapport('track', 'search', { query: `q${i}` }));
        return results;
      }, MAX_QUEUED + 3);
      expect(recorded.slice(0, MAX_QUEUED).every((ok) => ok === true)).toBe(true);
      expect(recorded.slice(MAX_QUEUED)).toEqual([false, false, false]);
      // Said on the console where the build explains itself (the production script tag leaves its warnings out).
      expect(warnings.filter((w) => w.includes('queue full'))).toEqual(Array(build === 'npm' ? 3 : 0).fill('[rapport] queue full: event not recorded'));

      await context.setOffline(false);
      const delivered = () => carried(collects.filter((c) => c.status === 200), 'search');
      await expect.poll(() => delivered().length, { timeout: 20_000 }).toBe(MAX_QUEUED);
      await expect.poll(allAnswered, { timeout: 5000 }).toBe(true);
      expect(delivered()).toEqual(Array.from({ length: MAX_QUEUED }, (_, i) => `q${i}`));
    });
  });

  // The rest is the transport and queue alone, one module in both builds: against the bundled one (support.ts, BUNDLED).
  if (build !== BUNDLED) return;

  it('beacons once each time the page is hidden, and again after it was shown only for what is unsent', async () => {
    await openConsented(build);
    await page.evaluate(() => {
      // Headless Chromium keeps its pages visible: play a tab switch the way the browser reports it.
      let state: DocumentVisibilityState = 'visible';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      (window as unknown as { show: (visible: boolean) => void }).show = (visible) => {
        state = visible ? 'visible' : 'hidden';
        document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      };
    });
    const show = (visible: boolean) => page.evaluate((visible) => (window as unknown as { show: (v: boolean) => void }).show(visible), visible);
    const beacons = () => collects.filter((c) => c.beacon).map((c) => carried([c]));

    await rapport('track', 'product_view', { item: '85' });
    await show(false);
    await page.evaluate(() => dispatchEvent(new Event('pagehide')));
    await expect.poll(beacons).toEqual([['85']]);
    // Shown again, the page sends what it tracked as usual (the Worker counts it once).
    await show(true);
    await expect.poll(() => collects.some((c) => !c.beacon && c.status === 200 && carried([c]).includes('85')), { timeout: 5000 }).toBe(true);
    await expect.poll(allAnswered, { timeout: 5000 }).toBe(true);
    await rapport('track', 'product_view', { item: '86' });
    await show(false);
    await page.evaluate(() => dispatchEvent(new Event('pagehide')));
    await page.waitForTimeout(300);
    expect(beacons()).toEqual([['85'], ['86']]);
  });

  it('tries nothing while the browser is offline, and delivers as soon as it is back online', async () => {
    const { vid } = await openConsented(build);
    await context.setOffline(true);
    const before = collects.length;
    await rapport('track', 'product_view', { item: '83' });
    await page.waitForTimeout(2500);
    expect(collects.slice(before)).toEqual([]);

    const online = Date.now();
    await context.setOffline(false);
    await expect.poll(() => carried(collects.slice(before)), { timeout: 5000 }).toEqual(['83']);
    expect(collects[before]!.at - online).toBeLessThan(1000);
    await expect.poll(allAnswered, { timeout: 5000 }).toBe(true);
    const [event] = collects[before]!.body.events.filter((e: { type: string }) => e.type === 'product_view');
    expect(acceptedEventIds(calls).get(event.id)).toBe(1);
    await expect.poll(async () => (await storedProfile(vid))?.counts.views, { timeout: 10_000, interval: 500 }).toBe(1);
  });

  describe.each([
    // As the Worker sends it.
    ['in seconds', () => ({ header: '3', until: Date.now() + 3000 })],
    // HTTP dates have whole seconds: the next whole second, plus three.
    ['as an HTTP date', () => {
      const until = Math.ceil(Date.now() / 1000) * 1000 + 3000;
      return { header: new Date(until).toUTCString(), until };
    }],
  ])('a 429 whose Retry-After is %s', (_, retryAfter) => {
    it('is waited out however much is tracked meanwhile, then everything arrives once', async () => {
      await openConsented(build);
      let wait: { header: string; until: number } | undefined;
      await page.route('**/v1/collect', (route) => {
        if (wait) return route.continue();
        wait = retryAfter();
        return route.fulfill({
          status: 429,
          headers: { ...workerCors(), 'retry-after': wait.header, 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }),
        });
      });
      const before = collects.length;
      await rapport('track', 'product_view', { item: '84' });
      await expect.poll(() => collects[before]?.status, { timeout: 5000 }).toBe(429);
      await page.waitForTimeout(500);
      await rapport('track', 'add_to_cart', { item: '84', qty: 1 });
      await rapport('track', 'product_view', { item: '85' });

      await expect.poll(() => collects.length, { timeout: 8000 }).toBeGreaterThan(before + 1);
      const next = collects[before + 1]!;
      expect(next.at).toBeGreaterThanOrEqual(wait!.until - 50);
      expect(next.at).toBeLessThan(wait!.until + 1500);
      expect(next.body.events.map((e: { type: string; item: string }) => [e.type, e.item])).toEqual([['product_view', '84'], ['add_to_cart', '84'], ['product_view', '85']]);
      await expect.poll(allAnswered, { timeout: 5000 }).toBe(true);
      expect(collects.slice(before).map((c) => c.status)).toEqual([429, 200]);
      expect([...acceptedEventIds(calls).values()].every((n) => n === 1)).toBe(true);
    });
  });
});
