/**
 * Durability, in real Chromium against the real Worker, for both builds: 500
 * product views tracked across an offline spell, a reload, a Worker answering
 * 503 and 429, and a closed tab all arrive, and the Worker counts each once.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BUILDS, openConsented, openSdkApp, perTestPage, serveSdkApp, storedProfile, workerCors, type ApiCall } from './support';

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ context, page, calls } = fresh));

const TOTAL = 500;

/** Tracks product views `from` … `to - 1` on the current page (items from the demo catalog). */
async function trackViews(from: number, to: number): Promise<void> {
  const recorded = await page.evaluate(
    async ([from, to]) => {
      const rapport = (window as unknown as { rapport: (...call: unknown[]) => Promise<boolean> }).rapport;
      const results: boolean[] = [];
      for (let i = from; i < to; i++) results.push(await rapport('track', 'product_view', { item: String((i % 190) + 1) }));
      return results;
    },
    [from, to] as const,
  );
  expect(recorded.every(Boolean), 'every view queued').toBe(true);
}

describe.each(BUILDS)('durability, the %s build', (build) => {
  it(`delivers ${TOTAL} views across offline, a reload, 503s, 429s and a closed tab, each counted once`, async () => {
    const { app } = await openConsented(page, build);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport_vid')), { timeout: 10_000 }).toBeTruthy();
    const vid = (await page.evaluate(() => localStorage.getItem('rapport_vid')))!;
    // Every copy of a product view the browser sent, from any page of the context (retries and beacons
    // included), and what the Worker's answers that could be read say it did with them.
    const copies = { sent: 0, accepted: 0, duplicates: 0 };
    const views = (body: string | null) => (JSON.parse(body ?? '{"events":[]}').events as Array<{ type: string }>).filter((e) => e.type === 'product_view').length;
    context.on('request', (request) => {
      if (request.url().endsWith('/v1/collect')) copies.sent += views(request.postData());
    });
    context.on('response', async (response) => {
      if (!response.url().endsWith('/v1/collect') || response.status() !== 200) return;
      const answer = await response.json().catch(() => undefined);
      if (answer) [copies.accepted, copies.duplicates] = [copies.accepted + answer.accepted, copies.duplicates + answer.duplicates];
    });

    // 1. Offline: queued, nothing tried.
    await context.setOffline(true);
    await trackViews(0, 100);
    await context.setOffline(false);

    // 2. The Worker answers 503 (retry in 1 s), then the page reloads before it recovers.
    await page.route('**/v1/collect', (route) => route.fulfill({ status: 503, headers: { ...workerCors(), 'retry-after': '1', 'content-type': 'application/json' }, body: '{"error":{"code":"x","message":"down"}}' }));
    await trackViews(100, 200);
    await openSdkApp(page, app);
    await trackViews(200, 300);

    // 3. The Worker says 429, retry after a second.
    await page.unroute('**/v1/collect');
    await page.route('**/v1/collect', (route) => route.fulfill({ status: 429, headers: { ...workerCors(), 'retry-after': '1', 'content-type': 'application/json' }, body: '{"error":{"code":"rate_limited","message":"wait"}}' }));
    await trackViews(300, 400);

    // 4. Every send fails, and the tab is closed.
    await page.unroute('**/v1/collect');
    await page.route('**/v1/collect', (route) => route.abort());
    await page.close();

    // 5. The shop is opened again, in a healthy world.
    page = await context.newPage();
    await serveSdkApp(page, build);
    await openSdkApp(page, app);
    await trackViews(400, TOTAL);
    await page.evaluate(() => (window as unknown as { rapport: (m: string) => Promise<void> }).rapport('flush'));

    // The Worker holds every view exactly once (its own export shows it).
    await expect.poll(async () => (await storedProfile(vid))?.counts.views, { timeout: 30_000, interval: 1000 }).toBe(TOTAL);
    await page.waitForTimeout(1500);
    expect((await storedProfile(vid))?.counts.views).toBe(TOTAL);
    console.log(
      `durability, ${build}: ${TOTAL} views tracked; ${copies.sent} copies of them sent (retries, a reload, a closed tab, beacons); ` +
        `${copies.duplicates} repeats dropped by the Worker in the answers the pages read (${copies.accepted} events accepted); ${TOTAL} views counted`,
    );
    expect(await page.evaluate(async () => (await (window as unknown as { rapport: (m: string) => Promise<{ browser: { queued: unknown[] } }> }).rapport('export')).browser.queued)).toEqual([]);
  });
});
