/**
 * Who the SDK says the shopper is, in real Chromium against the real Worker:
 * the visitor id is only ever one the Worker issued. The first
 * batch goes without one and the answer's id is kept and used from then on; an
 * id the Worker refuses (one character changed) is forgotten, the same batch
 * goes again without it, and no event is lost. An id issued for a batch the
 * shopper asked to forget on its way is not kept. On page hide, events go by
 * beacon only once the id is known. Both builds are checked for the first;
 * the rest, one module in both, on the bundled build (support.ts, BUNDLED).
 */
import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PATTERNS } from '../../sdk/src/wire';
import { acceptedEventIds, BUILDS, BUNDLED, openConsented as openShop, openSdkApp, perTestPage, storedProfile, storedVisitorId, type ApiCall } from './support';

let page: Page;
let calls: ApiCall[];

perTestPage((fresh) => ({ page, calls } = fresh));

/**
 * One slot, so that every page asks for a decision (and says as whom); below the fold, never seen, so
 * that no impression of it joins the batches these tests count.
 */
const SLOT = '<div style="height: 3000px"></div><section data-rapport-slot="recommended"><p>default</p></section>';

type Call = (...call: unknown[]) => Promise<unknown>;

/** Calls the SDK on the page, as the page's own code would. */
function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: Call }).rapport(...call), call);
}

const collects = () => calls.filter((c) => c.path === '/v1/collect');

/** Every request so far has been answered and its body read. */
const allAnswered = () => calls.every((c) => c.status !== undefined);

/** Opens the app as a shopper who consented to both purposes on an earlier page, but has no visitor id yet. */
async function openConsented(build: (typeof BUILDS)[number]): Promise<{ app: string }> {
  const { app } = await openShop(page, build, SLOT);
  return { app };
}

/** The same id with one character of its random part changed: well formed, but not what the Worker signed. */
function tampered(vid: string): string {
  const at = vid.split('.', 2).join('.').length + 1;
  return vid.slice(0, at) + (vid[at] === 'A' ? 'B' : 'A') + vid.slice(at + 1);
}

describe.each(BUILDS)('the %s build', (build) => {
  it('sends its first batch without a visitor id, keeps the id the answer issues, and uses it from then on', async () => {
    const { app } = await openConsented(build);
    await expect.poll(() => storedVisitorId(page), { timeout: 10_000 }).toMatch(PATTERNS.visitorId);
    const vid = (await storedVisitorId(page))!;
    const [first] = collects();
    expect(first!.body).not.toHaveProperty('vid');
    expect([first!.status, first!.response.vid]).toEqual([200, vid]);

    await rapport('track', 'product_view', { item: '78' });
    await rapport('flush');
    await openSdkApp(page, app);
    await expect.poll(() => collects().filter((c) => c.response).length, { timeout: 10_000 }).toBe(3);

    // The first page's decide went before there was an id; everything after went as the issued one,
    // and the Worker recorded every batch under it.
    expect(collects().map((c) => c.body.vid)).toEqual([undefined, vid, vid]);
    expect(calls.filter((c) => c.path === '/v1/decide').map((c) => c.body.vid)).toEqual([undefined, vid]);
    expect(collects().map((c) => [c.status, c.response.vid])).toEqual([0, 1, 2].map(() => [200, vid]));
    expect(await storedVisitorId(page)).toBe(vid);
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(['78']);
  });

  // What the SDK does with the id the Worker issues is one module in both builds: the rest against the bundled one (support.ts, BUNDLED).
  if (build !== BUNDLED) return;

  it('forgets an id the Worker refuses (one character changed), sends the batch again without it, and loses no event', async () => {
    await openConsented(build);
    await expect.poll(() => storedVisitorId(page), { timeout: 10_000 }).toMatch(PATTERNS.visitorId);
    const issued = (await storedVisitorId(page))!;
    const forged = tampered(issued);
    expect(forged).toMatch(PATTERNS.visitorId);
    expect(forged).not.toBe(issued);

    const before = calls.length;
    await page.evaluate(async (vid) => {
      localStorage.setItem('rapport_vid', vid);
      const rapport = (window as unknown as { rapport: Call }).rapport;
      await rapport('track', 'product_view', { item: '79' });
      await rapport('track', 'add_to_cart', { item: '79', qty: 1 });
      await rapport('flush');
    }, forged);
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);

    const [refused, resent, ...rest] = calls.slice(before);
    expect(rest).toEqual([]);
    expect([refused!.body.vid, refused!.status, refused!.response.error.code]).toEqual([forged, 401, 'invalid_visitor_id']);
    // At once, the same events, without an id; the answer issues a new one, which the SDK keeps.
    expect(resent!.body).not.toHaveProperty('vid');
    expect(resent!.body.events).toEqual(refused!.body.events);
    expect(resent!.status).toBe(200);
    const renewed = resent!.response.vid as string;
    expect(renewed).toMatch(PATTERNS.visitorId);
    expect(renewed).not.toBe(issued);
    await expect.poll(() => storedVisitorId(page)).toBe(renewed);

    // Both events arrived exactly once, under the new id; the forged id wrote nothing.
    const sent = refused!.body.events.map((e: { id: string }) => e.id) as string[];
    expect(sent.map((id) => acceptedEventIds(calls).get(id))).toEqual([1, 1]);
    await expect.poll(async () => (await storedProfile(renewed))?.cart, { timeout: 10_000, interval: 500 }).toEqual(['79']);
    expect((await storedProfile(renewed))?.counts).toMatchObject({ views: 1, carts: 1 });
    await expect(storedProfile(forged)).rejects.toThrow(/401/);
  });

  it('keeps no id issued for a batch that was forgotten on its way', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/collect', async (route) => {
      await held;
      await route.continue();
    });
    await openConsented(build);
    await expect.poll(() => collects().length, { timeout: 10_000 }).toBe(1);
    await rapport('forget');
    release();
    await expect.poll(() => collects()[0]?.response?.vid, { timeout: 10_000 }).toMatch(PATTERNS.visitorId);
    await page.waitForTimeout(300);
    expect(await storedVisitorId(page)).toBeNull();
  });

  it('on page hide, sends by beacon only once the visitor id is known', async () => {
    // The first answer is held back, so the page hides before it knows its id.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/collect', async (route) => {
      if (!route.request().postDataJSON()?.vid) await held;
      await route.continue();
    });
    const beacons: Request[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/collect') && request.resourceType() === 'ping') beacons.push(request);
    });
    /** Tracks a product view and hides the page before the batching delay sends it; returns the event's id. */
    const viewAndHide = (item: string) =>
      page.evaluate(async (item) => {
        const rapport = (window as unknown as { rapport: Call }).rapport;
        await rapport('track', 'product_view', { item });
        dispatchEvent(new Event('pagehide'));
      }, item);

    await openConsented(build);
    await expect.poll(() => collects().length, { timeout: 10_000 }).toBe(1);
    await viewAndHide('80');
    await page.waitForTimeout(500);
    expect(beacons).toEqual([]);

    release();
    await expect.poll(() => storedVisitorId(page), { timeout: 10_000 }).toMatch(PATTERNS.visitorId);
    const vid = (await storedVisitorId(page))!;
    await viewAndHide('81');
    await expect.poll(() => beacons.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(beacons.map((b) => b.postDataJSON().vid)).toEqual(beacons.map(() => vid));
    expect(beacons.flatMap((b) => b.postDataJSON().events.map((e: { item?: string }) => e.item))).toContain('81');
  });
});
