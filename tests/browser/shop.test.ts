/**
 * The whole loop in real Chromium against the real Worker: the demo shop
 * loads the SDK by script tag, events reach /v1/collect in batches, the
 * visitor's profile changes, and slots are filled from /v1/decide.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { PATTERNS } from '../../sdk/src/wire';
import { eventTypes, kvSnapshot, perTestPage, rapportTraces, recordApi, settledSlot, storedProfile, type ApiCall } from './support';

const base = inject('baseURL');
const idsIn = (category: string) => PRODUCTS.filter((p) => p.category === category).map((p) => p.id);
const categoryOf = (id: string) => PRODUCTS.find((p) => p.id === id)?.category;

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];

perTestPage((fresh) => ({ context, page, calls } = fresh));

/** Waits for the SDK's next successful collect request. */
function collected() {
  return page.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());
}

/** Opens the shop and accepts its banner; the page view consent came too late for is counted then, and forgotten here. */
async function acceptPersonalization() {
  await page.goto(`${base}/`);
  const counted = collected();
  await page.getByRole('button', { name: 'Accept all' }).click();
  await counted;
  await expect.poll(() => calls.every((c) => c.response !== undefined)).toBe(true);
  calls.length = 0;
}

describe('demo shop with the script-tag SDK', () => {
  it('sends nothing before consent and keeps the slot default', async () => {
    await page.goto(`${base}/`);
    const slot = await settledSlot(page, 'recommended');
    expect(slot.state).toBe('default');
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.goto(`${base}/p/1`);
    await settledSlot(page, 'similar');
    await page.waitForTimeout(1500); // longer than the SDK's batching delay
    expect(calls).toEqual([]);
    expect(await rapportTraces(page)).toEqual({ visitor: null, databases: [] });
  });

  it('learns the category a shopper browses and fills the slot with it after a reload', async () => {
    await acceptPersonalization();
    const laptops = idsIn('laptops');
    for (const id of laptops.slice(0, 3)) {
      const sent = collected();
      await page.goto(`${base}/p/${id}`);
      await sent;
    }
    await page.goto(`${base}/`);
    // The first home page asks for its slot after the load event: let it have asked before counting the reload's requests.
    await settledSlot(page, 'recommended');
    const before = calls.length;
    await page.reload();
    const slot = await settledSlot(page, 'recommended');

    expect(slot.state).toBe('filled');
    expect(slot.items).toHaveLength(4);
    // Led by laptops; diversity keeps a category to half of a 4-item slot.
    expect(slot.items.slice(0, 2).map(categoryOf)).toEqual(['laptops', 'laptops']);
    expect(slot.items.filter((id) => categoryOf(id) === 'laptops')).toHaveLength(2);
    const last = calls.filter((c) => c.path === '/v1/decide').at(-1)!;
    expect(last.response?.fallback).toBeUndefined();
    expect(slot.reasons[0], JSON.stringify(last.response)).not.toMatch(/^Popular/);
    expect(await page.locator('[data-rapport-slot="recommended"] [data-rapport-title]').textContent()).toBe('Recommended for you');

    // The reloaded page asked for its slot exactly once.
    const decides = calls.slice(before).filter((c) => c.path === '/v1/decide');
    expect(decides).toHaveLength(1);
    expect(decides[0]!.body.vid).toBe(await page.evaluate(() => localStorage.getItem('rapport_vid')));
  });

  it("personalizes the next page from the session's views before the profile's snapshot in KV has caught up", async () => {
    await acceptPersonalization();
    const phones = idsIn('smartphones').slice(0, 2);
    for (const id of phones) {
      const sent = collected();
      await page.goto(`${base}/p/${id}`);
      await sent;
    }
    const vid = (await page.evaluate(() => localStorage.getItem('rapport_vid')))!;
    // The Worker holds the views; KV's snapshot follows once the shopper is idle (minutes).
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(phones);
    expect(kvSnapshot(vid)).toBeNull();

    await page.goto(`${base}/`);
    const slot = await settledSlot(page, 'recommended');
    const decide = calls.filter((c) => c.path === '/v1/decide').at(-1)!;
    expect(decide.body.consent).toContain('personalization');
    expect(decide.body.context.recent).toEqual(phones);
    expect(slot.state).toBe('filled');
    expect(await page.locator('[data-rapport-slot="recommended"] [data-rapport-title]').textContent()).toBe('Recommended for you');
    expect(slot.items.slice(0, 2).map(categoryOf)).toContain('smartphones');
  });

  it('sends no session views once personalization is withdrawn', async () => {
    await acceptPersonalization();
    const sent = collected();
    await page.goto(`${base}/p/${idsIn('laptops')[0]}`);
    await sent;
    expect(await page.evaluate(() => sessionStorage.getItem('rapport_sid'))).toContain(idsIn('laptops')[0]);
    await page.evaluate(() => (window as unknown as { rapport: (m: string, c: object) => void }).rapport('consent', { analytics: false, personalization: false }));
    expect(await page.evaluate(() => sessionStorage.getItem('rapport_sid'))).toBeNull();
  });

  it('batches events and asks for all slots of a page in one decide request', async () => {
    await acceptPersonalization();
    const sent = collected();
    await page.goto(`${base}/p/1`);
    await sent;
    await settledSlot(page, 'together');

    const collects = calls.filter((c) => c.path === '/v1/collect');
    expect(collects).toHaveLength(1);
    // The recorder reads response bodies asynchronously.
    await expect.poll(() => collects[0]!.response).toBeDefined();
    // page_view and product_view of one page travel together.
    expect(eventTypes(calls)).toEqual(['page_view', 'product_view']);
    expect(collects[0]!.response).toEqual({ vid: expect.stringMatching(PATTERNS.visitorId), accepted: 2, duplicates: 0, profile: true, refused: [] });

    const decides = calls.filter((c) => c.path === '/v1/decide');
    expect(decides).toHaveLength(1);
    expect(decides[0]!.body.slots.map((s: { id: string }) => s.id)).toEqual(['similar', 'together']);
    expect(decides[0]!.body.context.item).toBe('1');

    const similar = await settledSlot(page, 'similar');
    expect(similar.state).toBe('filled');
    expect(categoryOf(similar.items[0]!)).toBe('beauty');
    expect(similar.items).not.toContain('1');
  });

  it('keeps the default content when the decision is late', async () => {
    await acceptPersonalization();
    const defaults = [...(await (await page.request.get(`${base}/p/1`)).text()).matchAll(/data-rapport-item="(\d+)"/g)]
      .map((m) => m[1])
      .slice(0, 4);
    await page.route('**/v1/decide', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue().catch(() => undefined);
    });
    await page.goto(`${base}/p/1`);
    const similar = await settledSlot(page, 'similar');
    expect(similar.state).toBe('default');
    expect(similar.items).toEqual(defaults);
    expect(await page.locator('[data-rapport-slot="similar"]').evaluate((el) => getComputedStyle(el).visibility)).toBe('visible');
  });

  it('delivers events whose sending failed exactly once when the shop is opened again', async () => {
    // Every collect request of the context, from any page (a closing tab's beacon excepted: no page is left to see it).
    const sentEvents: Array<{ id: string; type: string }> = [];
    context.on('request', (request) => {
      if (request.url().endsWith('/v1/collect')) sentEvents.push(...JSON.parse(request.postData()!).events);
    });
    await acceptPersonalization();
    // Every send from this tab fails: the fetch, its retries and the beacon on close.
    await context.route('**/v1/collect', (route) => route.abort());
    const failed = page.waitForRequest((r) => r.url().endsWith('/v1/collect'));
    await page.goto(`${base}/p/2`);
    const lostIds: string[] = JSON.parse((await failed).postData()!).events.map((e: { id: string }) => e.id);
    await page.close();
    await context.unroute('**/v1/collect');

    page = await context.newPage();
    calls = recordApi(page);
    const sent = collected();
    await page.goto(`${base}/`);
    await sent;
    await page.evaluate(() => (window as unknown as { rapport: (m: string) => Promise<void> }).rapport('flush'));
    await expect.poll(() => calls.filter((c) => c.path === '/v1/collect').every((c) => c.response)).toBe(true);

    const delivered = calls.filter((c) => c.path === '/v1/collect');
    const redelivered = new Set(delivered.flatMap((c) => c.body.events.map((e: { id: string }) => e.id)));
    for (const id of lostIds) expect(redelivered).toContain(id);
    // However often the browser sent them, the Worker counted each event once: the product
    // view travelled at least twice and counts once, and every event sent counts (the page views
    // consent was given on, that failed and that reopened, the product view, engaged time),
    // besides the engaged time of the two pages left (the home page, once a second was spent
    // on it, and the closed tab), whose exit beacons no page is left to see.
    expect(new Set(sentEvents.filter((e) => e.type === 'page_view').map((e) => e.id)).size).toBe(3);
    expect(sentEvents.filter((e) => e.type === 'product_view').length).toBeGreaterThanOrEqual(2);
    const vid = await page.evaluate(() => localStorage.getItem('rapport_vid')!);
    await expect.poll(async () => (await storedProfile(vid))?.counts.views, { timeout: 10_000, interval: 500 }).toBe(1);
    // The open page still sends the impressions of its slots (each a second after it is seen): the
    // Worker's count settles at the events sent by then, each once.
    const countedBeyondSent = async () => (await storedProfile(vid))!.counts.events - new Set(sentEvents.map((e) => e.id)).size;
    await expect.poll(countedBeyondSent, { timeout: 10_000, interval: 500 }).toSatisfy((extra: number) => extra >= 0 && extra <= 2);
    expect((await storedProfile(vid))?.viewed.map(({ item }) => item)).toEqual(['2']);
  });

  it('still tracks and personalizes where IndexedDB is unavailable (private modes)', async () => {
    await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
    await acceptPersonalization();
    const sent = collected();
    await page.goto(`${base}/p/80`);
    expect((await sent).ok()).toBe(true);
    expect(eventTypes(calls)).toEqual(['page_view', 'product_view']);
    expect((await settledSlot(page, 'similar')).state).toBe('filled');
  });
});
