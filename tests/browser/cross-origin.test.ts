/**
 * The SDK on a merchant's own site, cross-origin to the Worker, in Chromium:
 * a page on an allowed shop origin tracks and gets its slots filled; a page
 * on any other origin can neither write a profile nor read a decision.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { perTestPage, settledSlot, storedProfile, storedVisitorId, type ApiCall } from './support';

const worker = inject('baseURL');
const shop = inject('shopOrigin');
/** Another loopback origin, not on the allow-list. */
const elsewhere = shop.replace('127.0.0.1', '127.0.0.2');
let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

/** Serves a product page of a shop at `origin` that loads the SDK from the Worker, consent already given. */
async function shopPage(origin: string): Promise<string> {
  const html = `<!doctype html><html><head><meta charset="utf-8">
<script async src="${worker}/sdk/rapport.min.js" data-endpoint="${worker}" data-consent="granted"></script>
<script>window.rapport=window.rapport||function(){(rapport.q=rapport.q||[]).push(arguments)};rapport('track','product_view',{item:'78'});</script>
</head><body>
<section data-rapport-slot="similar"><h2 data-rapport-title>Default</h2><div data-rapport-list><p>default item</p></div></section>
</body></html>`;
  await page.route(`${origin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  return `${origin}/p/78`;
}

describe('the SDK on a shop cross-origin to the Worker', () => {
  it('tracks and fills slots from an allowed shop origin', async () => {
    await page.goto(await shopPage(shop));
    expect((await settledSlot(page, 'similar')).state).toBe('filled');
    const accepted = page.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());
    await page.evaluate(() => (window as unknown as { rapport: (m: string) => Promise<void> }).rapport('flush'));
    await accepted;
    await expect.poll(() => calls.find((c) => c.path === '/v1/collect')?.response).toMatchObject({ accepted: 2 });
    await expect.poll(() => storedVisitorId(page)).toBeTruthy();
    const vid = (await storedVisitorId(page))!;
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(['78']);
  });

  it('lets a page on another origin neither write a profile nor read a decision', async () => {
    await page.goto(await shopPage(elsewhere));
    expect((await settledSlot(page, 'similar')).state).toBe('default');
    await expect.poll(() => calls.some((c) => c.path === '/v1/collect')).toBe(true);
    await page.waitForTimeout(1500);
    // Refused before anything was stored: not even a visitor id was issued.
    expect(await storedVisitorId(page)).toBeNull();
  });

  it('waits as a 429 tells it, cross-origin, then delivers', async () => {
    await page.goto(await shopPage(shop));
    await page.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());
    // The SDK keeps the id the answer issued once it has read the answer.
    await expect.poll(() => storedVisitorId(page)).toBeTruthy();
    const vid = (await storedVisitorId(page))!;
    const attempts: Array<{ at: number; status: number }> = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/v1/collect')) attempts.push({ at: Date.now(), status: r.status() });
    });
    // Someone spends this visitor's budget (60 requests per 10 s) from elsewhere, all at once; the limiter
    // counts in fixed windows, so if the SDK's next batch falls in a fresh window, spend it again.
    const viewed = ['79', '80', '81'];
    let refusedAt = -1;
    let rounds = 0;
    for (let round = 0; round < viewed.length && refusedAt < 0; round++, rounds++) {
      await Promise.all(
        Array.from({ length: 65 }, () =>
          fetch(`${worker}/v1/decide`, { method: 'POST', body: JSON.stringify({ v: 1, vid, consent: ['personalization'], slots: [{ id: 'similar' }] }) }).then((res) => res.arrayBuffer()),
        ),
      );
      const before = attempts.length;
      await page.evaluate((item) => {
        const rapport = (window as unknown as { rapport: (...args: unknown[]) => unknown }).rapport;
        rapport('track', 'product_view', { item });
        return rapport('flush');
      }, viewed[round]!);
      await expect.poll(() => attempts.length, { timeout: 5000 }).toBeGreaterThan(before);
      if (attempts[before]!.status === 429) refusedAt = before;
    }
    expect(refusedAt, 'no batch was refused in three rounds').toBeGreaterThanOrEqual(0);
    // Retry-After said 10 s: the SDK did not try again before then, and then delivered.
    await expect.poll(() => attempts.length, { timeout: 20_000, interval: 250 }).toBeGreaterThan(refusedAt + 1);
    expect(attempts[refusedAt + 1]!.status).toBe(200);
    expect(attempts[refusedAt + 1]!.at - attempts[refusedAt]!.at).toBeGreaterThanOrEqual(9_000);
    // Every product view tracked, refused or not, reached the profile once.
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(['78', ...viewed.slice(0, rounds)]);
  });
});
