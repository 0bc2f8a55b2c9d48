/**
 * The demo shop's consent banner in real Chromium against the real demo
 * Worker: what a shopper sees (two purposes, rejecting as easy as
 * accepting, a "Choose" layer, accessible and keyboard-operable), what each
 * choice lets Rapport do (nothing at all, measurement, personalization), and
 * the same banner played as an IAB TCF v2.2 CMP, which the SDK follows by itself.
 */
import { TCString } from '@iabtechlabtcf/core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { expectAccessible } from './axe';
import { perTestPage, rapportTraces, settledSlot, storedVisitorId, type ApiCall } from './support';

const base = inject('baseURL');
const idsIn = (category: string) => PRODUCTS.filter((p) => p.category === category).map((p) => p.id);
const categoryOf = (id: string) => PRODUCTS.find((p) => p.id === id)?.category;

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ context, page, calls } = fresh));

const banner = () => page.getByRole('region', { name: 'Your privacy choices' });
const button = (name: string) => page.getByRole('button', { name, exact: true });
const collects = () => calls.filter((c) => c.path === '/v1/collect');

/** What a locator shows, its white space collapsed. */
const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ');
const shown = (locator: Locator) => locator.waitFor({ state: 'visible' });
const gone = (locator: Locator) => locator.waitFor({ state: 'hidden' });
const focused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

/** Waits for the SDK's next successful collect request. */
const collected = () => page.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());

/** Waits longer than the SDK's batching delay, for requests that must not come. */
const quietly = () => page.waitForTimeout(1500);

/** What Rapport could have left in this browser: its visitor id and any IndexedDB database. */
const traces = () => rapportTraces(page);

/** Browses a few pages of the shop as a shopper would. */
async function browse(paths: string[]): Promise<void> {
  for (const path of paths) {
    await page.goto(`${base}${path}`);
    await gone(banner());
  }
}

/** The TCF purposes the stored TC string grants, decoded with IAB's library, and the fields a CMP sets. */
async function storedTcString() {
  const cookie = (await context.cookies()).find((c) => c.name === 'euconsent-v2');
  if (!cookie) return undefined;
  const model = TCString.decode(cookie.value);
  return { purposes: [...model.purposeConsents.values()].filter((id) => model.purposeConsents.has(id)), cmpId: model.cmpId, isServiceSpecific: model.isServiceSpecific, consentScreen: model.consentScreen, cookie };
}

/** Calls the page's `__tcfapi` and returns what its callback got (null data and no success when it does not answer within a second). */
function tcfapi(command: string): Promise<{ data: Record<string, unknown> | null; success: boolean }> {
  return page.evaluate(
    (command) =>
      new Promise((resolve) => {
        const api = (window as unknown as { __tcfapi: (c: string, v: number, cb: (data: Record<string, unknown> | null, success: boolean) => void) => void }).__tcfapi;
        api(command, 2, (data, success) => resolve({ data, success }));
        setTimeout(() => resolve({ data: null, success: false }), 1000);
      }),
    command,
  );
}

describe('the consent banner', () => {
  it('says what it asks, weighs rejecting like accepting, and offers a choice per purpose', async () => {
    await page.goto(`${base}/`);
    await shown(banner());
    expect(await text(banner())).toContain('Measurement: counting what you view, click and buy, to measure and improve the shop.');
    expect(await text(banner())).toContain('Personalization: remembering what you look at, to recommend products');
    expect(await text(banner())).toContain("This is the shop's own banner");
    // Accept and reject: the same size and style, side by side.
    const looks = (name: string) =>
      button(name).evaluate((el) => {
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return { width: Math.round(box.width), height: Math.round(box.height), top: Math.round(box.top), background: style.backgroundColor, color: style.color, font: style.font, border: style.border };
      });
    const accept = await looks('Accept all');
    expect(await looks('Reject all')).toEqual(accept);
    await expectAccessible(page, 'the banner, first shown');
    // Until the shopper chooses, the banner stays: no Close, and Escape does not dismiss it.
    expect(await page.getByRole('button', { name: 'Close privacy choices' }).isVisible()).toBe(false);
    await button('Choose').focus();
    await page.keyboard.press('Escape');
    expect(await banner().isVisible()).toBe(true);

    await button('Choose').click();
    expect(await button('Choose').getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('switch', { name: 'Measurement' }).isChecked()).toBe(false);
    expect(await page.getByRole('switch', { name: 'Personalization' }).isChecked()).toBe(false);
    expect(await page.getByRole('switch', { name: 'Play this banner as an IAB TCF v2.2 CMP' }).isChecked()).toBe(false);
    await shown(button('Save choices'));
    await expectAccessible(page, "the banner's Choose layer");
  });

  it('Reject all: nothing is sent or stored however the shopper browses; the banner stays away and re-opens from the footer with the choice', async () => {
    await page.goto(`${base}/`);
    await button('Reject all').click();
    await gone(banner());
    expect(await text(page.getByRole('status').filter({ hasText: 'Your choice is saved' }))).toContain('Measurement off, personalization off');
    await browse(['/p/1', '/c/laptops', '/search?q=phone', `/p/${idsIn('laptops')[0]}`, '/']);
    await settledSlot(page, 'recommended');
    await quietly();
    expect(calls).toEqual([]);
    expect(await traces()).toEqual({ visitor: null, databases: [] });

    const open = page.getByRole('button', { name: 'Cookie and privacy choices' });
    await open.click();
    await shown(banner());
    expect(await banner().evaluate((el) => el.contains(document.activeElement))).toBe(true);
    expect(await text(banner())).toContain('Your current choice: Measurement off, personalization off.');
    await button('Choose').click();
    expect(await page.getByRole('switch', { name: 'Measurement' }).isChecked()).toBe(false);
    await page.keyboard.press('Escape');
    await gone(banner());
    expect(await focused(open)).toBe(true);
  });

  it('Accept all: events are collected and the home page recommends from what the shopper browsed', async () => {
    await page.goto(`${base}/`);
    const counted = collected();
    await button('Accept all').click();
    await counted;
    const laptops = idsIn('laptops').slice(0, 3);
    // The products viewed that the Worker accepted, each event once (a page left while its batch was on the way sends it again by beacon).
    const viewed = () => [...new Map(collects().filter((c) => c.status === 200).flatMap((c) => c.body.events as Array<{ id: string; type: string; item?: string }>).map((e) => [e.id, e])).values()].filter((e) => e.type === 'product_view').map((e) => e.item);
    for (const [i, id] of laptops.entries()) {
      await page.goto(`${base}/p/${id}`);
      await expect.poll(viewed, { timeout: 10_000 }).toEqual(laptops.slice(0, i + 1));
    }
    expect(collects().every((c) => c.body.consent.join() === 'analytics,personalization')).toBe(true);
    expect(await storedVisitorId(page)).toBeTruthy();

    await page.goto(`${base}/`);
    await gone(banner());
    const slot = await settledSlot(page, 'recommended');
    expect(slot.state).toBe('filled');
    expect(slot.items.slice(0, 2).map(categoryOf)).toEqual(['laptops', 'laptops']);
  });

  it('Choose, by keyboard alone: measurement only sends events for analytics and asks for no personalized slot', async () => {
    await page.goto(`${base}/`);
    await button('Choose').focus();
    await page.keyboard.press('Enter');
    expect(await focused(page.getByRole('switch', { name: 'Measurement' }))).toBe(true);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // Personalization, left off
    await page.keyboard.press('Tab');
    expect(await focused(button('Save choices'))).toBe(true);
    // The keyboard's focus is visible.
    expect(await button('Save choices').evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    const counted = collected();
    await page.keyboard.press('Enter');
    await counted;
    await gone(banner());

    const sent = collected();
    await page.goto(`${base}/p/${idsIn('laptops')[0]}`);
    await sent;
    await page.goto(`${base}/`);
    expect((await settledSlot(page, 'recommended')).state).toBe('default');
    await quietly();
    expect(collects().length).toBeGreaterThan(0);
    expect(collects().map((c) => c.body.consent)).toEqual(collects().map(() => ['analytics']));
    expect(calls.filter((c) => c.path === '/v1/decide')).toEqual([]);
  });
});

describe('the banner played as an IAB TCF v2.2 CMP', () => {
  it("switches on from the banner: IAB's CmpApi answers __tcfapi, Accept all becomes a TC string, and the SDK follows it", async () => {
    await page.goto(`${base}/`);
    expect(await page.evaluate(() => '__tcfapi' in window)).toBe(false);
    await button('Choose').click();
    await Promise.all([page.waitForEvent('load'), page.getByRole('switch', { name: 'Play this banner as an IAB TCF v2.2 CMP' }).click()]);
    expect((await context.cookies()).find((c) => c.name === 'demo_cmp')).toMatchObject({ value: 'tcf', path: '/', sameSite: 'Lax' });

    await shown(banner());
    expect(await text(banner())).toContain('This banner is playing an IAB TCF v2.2 CMP');
    const ping = await tcfapi('ping');
    expect(ping.data).toMatchObject({ cmpLoaded: true, cmpStatus: 'loaded', displayStatus: 'visible' });
    expect((await tcfapi('getTCData')).data).toMatchObject({ cmpId: 10, isServiceSpecific: true, eventStatus: 'cmpuishown' });
    await button('Choose').click();
    expect(await text(banner())).toContain('Recorded as TCF purposes 1, 5, 6');
    await expectAccessible(page, 'the TCF banner');
    await quietly();
    expect(calls).toEqual([]);

    const counted = collected();
    await button('Accept all').click();
    await counted;
    expect(collects()[0]!.body.consent).toEqual(['analytics', 'personalization']);
    // The SDK heard it from __tcfapi: the banner did not call rapport('consent'), which the SDK would have remembered.
    expect(await page.evaluate(() => localStorage.getItem('rapport_consent'))).toBeNull();
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('demo_consent')!))).toEqual({ analytics: true, personalization: true });
    const stored = await storedTcString();
    expect(stored).toMatchObject({ purposes: [1, 5, 6, 8, 10], cmpId: 10, isServiceSpecific: true, consentScreen: 1 });
    expect(stored!.cookie).toMatchObject({ path: '/', sameSite: 'Lax' });
    expect(stored!.cookie.expires - Date.now() / 1000).toBeGreaterThan(389 * 86_400);

    // The next page: the stored TC string, loaded without asking; the SDK goes on.
    const sent = collected();
    await page.goto(`${base}/p/${idsIn('laptops')[0]}`);
    await sent;
    await gone(banner());
    expect((await tcfapi('getTCData')).data).toMatchObject({ eventStatus: 'tcloaded', purpose: { consents: { 1: true, 5: true, 6: true, 8: true, 10: true } } });
  });

  it('answers __tcfapi with the stub until the CMP has loaded, which then answers the queued calls', async () => {
    await context.addCookies([{ name: 'demo_cmp', value: 'tcf', url: base }]);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/js/tcf-cmp.js', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => '__tcfapi' in window);
    expect((await tcfapi('ping')).data).toMatchObject({ cmpLoaded: false, cmpStatus: 'stub' });
    const listened = page.evaluate(
      () => new Promise((resolve) => (window as unknown as { __tcfapi: (...a: unknown[]) => void }).__tcfapi('addEventListener', 2, (data: { eventStatus: string }) => resolve(data.eventStatus))),
    );
    release();
    expect(await listened).toBe('cmpuishown');
    expect((await tcfapi('ping')).data).toMatchObject({ cmpLoaded: true });
  });

  it('Reject all in TCF mode: a TC string granting nothing, and nothing sent or stored', async () => {
    await context.addCookies([{ name: 'demo_cmp', value: 'tcf', url: base }]);
    await page.goto(`${base}/`);
    await button('Reject all').click();
    await gone(banner());
    expect(await storedTcString()).toMatchObject({ purposes: [], cmpId: 10 });
    await browse(['/p/1', '/c/smartphones', '/']);
    await settledSlot(page, 'recommended');
    await quietly();
    expect(calls).toEqual([]);
    expect(await traces()).toEqual({ visitor: null, databases: [] });
  });

  it("switches off again: the shop's own banner, with the choice made in TCF mode", async () => {
    await context.addCookies([{ name: 'demo_cmp', value: 'tcf', url: base }]);
    await page.goto(`${base}/`);
    await button('Choose').click();
    await page.getByRole('switch', { name: 'Measurement' }).check();
    const counted = collected();
    await button('Save choices').click();
    await counted;
    expect(await storedTcString()).toMatchObject({ purposes: [1, 8, 10], consentScreen: 2 });
    expect(collects()[0]!.body.consent).toEqual(['analytics']);

    await page.getByRole('button', { name: 'Cookie and privacy choices' }).click();
    await button('Choose').click();
    await Promise.all([page.waitForEvent('load'), page.getByRole('switch', { name: 'Play this banner as an IAB TCF v2.2 CMP' }).click()]);
    expect((await context.cookies()).find((c) => c.name === 'demo_cmp')).toBeUndefined();
    expect(await page.evaluate(() => '__tcfapi' in window)).toBe(false);
    await gone(banner());
    const from = calls.length;
    await page.goto(`${base}/p/2`);
    const viewed = () => collects().some((c) => c.body.events.some((e: { type: string; item?: string }) => e.type === 'product_view' && e.item === '2'));
    await expect.poll(viewed, { timeout: 10_000 }).toBe(true);
    expect(calls.slice(from).filter((c) => c.path === '/v1/collect').map((c) => c.body.consent)).toContainEqual(['analytics']);
    expect(collects().every((c) => c.body.consent.join() === 'analytics')).toBe(true);
  });
});
