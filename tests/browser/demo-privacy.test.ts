/**
 * The demo shop's privacy centre in real Chromium against the real demo
 * Worker: what a shopper who never agreed sees (nothing stored), what one
 * who did sees (their id and the products they viewed, by name, and a JSON
 * download), "Forget me" (nothing left here or on the Worker), "Opt out"
 * (nothing sent from then on), and choices saved there in TCF mode.
 */
import { TCString } from '@iabtechlabtcf/core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { expectAccessible } from './axe';
import { perTestPage, storedProfile, storedVisitorId, type ApiCall } from './support';

const base = inject('baseURL');
const titleOf = (id: string) => PRODUCTS.find((p) => p.id === id)!.title;
const idsIn = (category: string) => PRODUCTS.filter((p) => p.category === category).map((p) => p.id);

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ context, page, calls } = fresh));

const button = (name: string) => page.getByRole('button', { name, exact: true });
const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ');
/** The status line (role=status) of a section of the centre, once it says something. */
async function status(section: string): Promise<string> {
  const line = page.getByRole('region', { name: section }).getByRole('status');
  await expect.poll(() => line.textContent(), { timeout: 10_000 }).not.toBe('');
  return text(line);
}
const exported = () => page.locator('[data-privacy-export-result]');
const collected = () => page.waitForResponse((r) => r.url().endsWith('/v1/collect') && r.ok());
const quietly = () => page.waitForTimeout(1500);

/** Accepts both purposes in the banner and views `items`, each page's events delivered before the next. */
async function acceptAndView(items: string[]): Promise<string> {
  await page.goto(`${base}/`);
  const counted = collected();
  await button('Accept all').click();
  await counted;
  for (const id of items) {
    const sent = collected();
    await page.goto(`${base}/p/${id}`);
    await sent;
  }
  return (await storedVisitorId(page))!;
}

/** Opens the centre and asks what is stored. */
async function openExport(): Promise<string> {
  await page.goto(`${base}/privacy`);
  await button('Show what is stored about me').click();
  return status('What is stored about you');
}

describe('the privacy centre', () => {
  it('tells a shopper who never agreed that nothing is stored, and asks the Worker nothing', async () => {
    await page.goto(`${base}/privacy`);
    expect(await text(page.locator('[data-privacy-current]'))).toBe('You have not chosen yet, so nothing is collected.');
    await expectAccessible(page, 'the privacy centre with the banner open');
    // The banner is still asking: no choice at all.
    expect(await openExport()).toContain('Nothing is stored about you');
    const shown = await text(exported());
    expect(shown).toContain('Your id None');
    expect(shown).toContain('Nothing: without an id there is nothing to look up.');
    await expectAccessible(page, 'the privacy centre, nothing stored');
    expect(calls).toEqual([]);
  });

  it("shows a shopper's id and the products they viewed, by name, downloads it as JSON, and forgets it all", async () => {
    const viewed = idsIn('fragrances').slice(0, 2);
    const vid = await acceptAndView(viewed);
    // The Worker has the views (the record of truth; KV's snapshot follows later).
    await expect.poll(async () => (await storedProfile(vid))?.viewed.map(({ item }) => item), { timeout: 10_000, interval: 500 }).toEqual(viewed);

    expect(await openExport()).toContain(`under the id ${vid}`);
    const shown = await text(exported());
    expect(shown).toContain(`Your id ${vid}`);
    expect(shown).toContain('Your choice, as Rapport has it Measurement allowed, Personalization allowed');
    for (const id of viewed) expect(shown).toContain(`${titleOf(id)}: viewed`);
    expect(shown).toContain('Fragrances');
    expect(shown).toMatch(/Kept until \d+ \w+ \d{4}/);
    const download = page.getByRole('link', { name: 'Download as JSON' });
    expect(await download.getAttribute('download')).toBe('rapport-data.json');
    const json = await download.evaluate(async (a: HTMLAnchorElement) => (await fetch(a.href)).json());
    expect(json.browser.visitorId).toBe(vid);
    expect(json.worker.profile.viewed.map((v: { item: string }) => v.item)).toEqual(viewed);
    await expectAccessible(page, 'the privacy centre showing an export');

    await button('Forget me').click();
    expect(await status('Forget me')).toContain('Done: Rapport has erased what it kept about you');
    expect(await status('Forget me')).toContain('You still allow Measurement and Personalization');
    expect(await storedVisitorId(page)).toBeNull();
    // The export shown again: no id here, nothing to look up on the Worker.
    await expect.poll(() => text(exported())).toContain('Your id None');
    expect(await text(exported())).toContain('Nothing: without an id there is nothing to look up.');
    // And the Worker holds nothing for the old id.
    await expect.poll(() => storedProfile(vid), { timeout: 10_000, interval: 500 }).toBeNull();
    expect(calls.filter((c) => c.path === '/v1/privacy/erase').map((c) => c.status)).toEqual([200]);
  });

  it('opts out: the same as Reject all, and nothing is sent while the shopper browses on', async () => {
    const vid = await acceptAndView([idsIn('laptops')[0]!]);
    await page.goto(`${base}/privacy`);
    expect(await text(page.locator('[data-privacy-current]'))).toBe('Your current choice: Measurement on, personalization on.');
    await button('Opt out').click();
    expect(await status('Opt out')).toContain('You have opted out, the same as “Reject all” in the banner');
    expect(await text(page.locator('[data-privacy-current]'))).toBe('Your current choice: Measurement off, personalization off. Nothing is collected.');
    expect(await page.getByRole('switch', { name: 'Measurement' }).isChecked()).toBe(false);
    // Withdrawing everything erases the visitor, here and on the Worker.
    await expect.poll(() => calls.find((c) => c.path === '/v1/privacy/erase')?.status, { timeout: 10_000 }).toBe(200);
    expect(await storedVisitorId(page)).toBeNull();
    await expect.poll(() => storedProfile(vid), { timeout: 10_000, interval: 500 }).toBeNull();

    const from = calls.length;
    for (const path of ['/p/3', `/c/laptops`, '/']) await page.goto(`${base}${path}`);
    await quietly();
    expect(calls.slice(from)).toEqual([]);
    expect(await storedVisitorId(page)).toBeNull();
  });

  it('saves choices made in the centre, through the TCF CMP in TCF mode', async () => {
    await context.addCookies([{ name: 'demo_cmp', value: 'tcf', url: base }]);
    await page.goto(`${base}/privacy`);
    expect(await page.getByRole('switch', { name: 'Play this banner as an IAB TCF v2.2 CMP' }).first().isChecked()).toBe(true);
    await page.getByRole('region', { name: 'Your choices' }).getByRole('switch', { name: 'Measurement' }).check();
    const counted = collected();
    await page.getByRole('region', { name: 'Your choices' }).getByRole('button', { name: 'Save choices' }).click();
    expect(await status('Your choices')).toBe('Saved: Measurement on, personalization off.');
    await counted;
    expect(calls.filter((c) => c.path === '/v1/collect').map((c) => c.body.consent)).toEqual([['analytics']]);
    // The banner, which was asking, has closed: the choice is made.
    await page.getByRole('region', { name: 'Your privacy choices' }).waitFor({ state: 'hidden' });
    const tc = (await context.cookies()).find((c) => c.name === 'euconsent-v2')!;
    const model = TCString.decode(tc.value);
    expect([1, 5, 6, 8, 10].filter((id) => model.purposeConsents.has(id))).toEqual([1, 8, 10]);
    expect(model.consentScreen).toBe(3);
    expect(await page.evaluate(() => localStorage.getItem('rapport_consent'))).toBeNull();
  });
});
