/**
 * Consent from the banners shops already run, in real Chromium against the
 * real Worker: a real IAB TCF v2.2 CMP stood up with IAB's
 * own `@iabtechlabtcf/cmpapi` (TC strings encoded by `@iabtechlabtcf/core`),
 * Google Consent Mode v2 commands in `dataLayer`, Global Privacy Control, and
 * the plain API any other banner calls. Whatever the source: before consent
 * nothing is stored or sent; after it events flow; withdrawing clears the
 * browser's data and asks the Worker to erase (a shopper's own opt-out is
 * remembered, without identifying them, and holds on the next page). Both
 * builds follow each source, wired up their own ways (the script tag by
 * itself, the npm app through `tcf()` and `consentMode()`); what a source's
 * signals mean, one module in both, is checked on the bundled build
 * (support.ts, BUNDLED).
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import type { Page } from 'playwright-core';
import { rollup } from 'rollup';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { BUILDS, BUNDLED, openSdkApp, perTestPage, serveSdkApp, type ApiCall, type Build } from './support';

let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

/** Where serveSdkApp serves the shop's pages, and the CMP beside them. */
const base = new URL('/sdk-app/', inject('shopOrigin')).href;

/** A CMP as a shop runs one: IAB's CmpApi, driven by the test through `window.cmp.update(tcString | null, uiVisible)`. */
let cmpScript = '';
beforeAll(async () => {
  const source = "import { CmpApi } from '@iabtechlabtcf/cmpapi'; const api = new CmpApi(10, 1, true); window.cmp = { update: (tc, ui) => api.update(tc, ui) };";
  const bundle = await rollup({
    input: 'cmp',
    plugins: [{ name: 'cmp', resolveId: (id) => (id === 'cmp' ? id : null), load: (id) => (id === 'cmp' ? source : null) }, nodeResolve({ rootDir: ROOT, browser: true })],
  });
  cmpScript = (await bundle.generate({ format: 'iife' })).output[0].code;
  await bundle.close();
});

/** A TC string granting exactly `purposes` (a minimal vendor list: Rapport decides by purposes). */
function tcString(purposes: number[]): string {
  const names = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, { id: i + 1, name: `Purpose ${i + 1}`, description: '', illustrations: [] }]));
  const gvl = new GVL({ gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: '2026-01-01T00:00:00Z', purposes: names(11), specialPurposes: names(3), features: names(3), specialFeatures: names(2), vendors: {}, stacks: {}, dataCategories: {} } as never);
  const model = new TCModel(gvl);
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.purposeConsents.set(purposes);
  return TCString.encode(model);
}
const ALL = tcString([1, 5, 6, 8]);
const ANALYTICS = tcString([1, 8]);
const NONE = tcString([]);

/** Opens a shop page with `head` (a CMP, a dataLayer) before the SDK, which starts with `consent`. */
async function open(build: Build, head: string, consent: 'pending' | 'granted' = 'pending'): Promise<string> {
  const { app } = await serveSdkApp(page, build, '', { head, consent });
  await page.route(`${base}cmp.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: cmpScript }));
  await openSdkApp(page, app);
  return app;
}

const cmpUpdate = (tc: string | null, uiVisible = false) => page.evaluate(([tc, ui]) => (window as unknown as { cmp: { update(tc: string | null, ui: boolean): void } }).cmp.update(tc, ui), [tc, uiVisible] as const);
const collects = () => calls.filter((c) => c.path === '/v1/collect');

/** Calls the SDK as the page's own code (a banner's callback) would. */
const rapport = (...call: unknown[]) => page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => unknown }).rapport(...call), call);

/** Everything Rapport could have left in this browser. */
function traces() {
  return page.evaluate(async () => ({
    local: Object.keys(localStorage).filter((k) => k.startsWith('rapport')),
    session: Object.keys(sessionStorage).filter((k) => k.startsWith('rapport')),
    cookies: document.cookie,
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
}
const NO_TRACES = { local: [], session: [], cookies: '', databases: [] };

/** Waits longer than the SDK's batching delay, for requests that must not come. */
const quietly = () => page.waitForTimeout(1500);

describe.each(BUILDS)('consent sources, the %s build', (build) => {
  it('follows a TCF v2.2 CMP: nothing before the shopper acts, everything once they grant all', async () => {
    await open(build, `<script src="${base}cmp.js"></script>`);
    // The banner is showing; nothing has been decided.
    await cmpUpdate('', true);
    await quietly();
    expect(calls).toEqual([]);
    expect(await traces()).toEqual(NO_TRACES);

    await cmpUpdate(ALL);
    await expect.poll(() => collects().filter((c) => c.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(collects()[0]!.body.consent).toEqual(['analytics', 'personalization']);
  });

  it('follows Google Consent Mode v2, including commands pushed before the SDK loaded', async () => {
    const gtag = `<script>window.dataLayer = window.dataLayer || []; function gtag(){ dataLayer.push(arguments); }
      gtag('consent', 'default', { analytics_storage: 'denied', personalization_storage: 'denied', ad_storage: 'denied' });</script>`;
    await open(build, gtag, 'granted');
    await quietly();
    expect(calls).toEqual([]);
    expect(await traces()).toEqual(NO_TRACES);

    await page.evaluate(() => (window as unknown as { gtag: (...a: unknown[]) => void }).gtag('consent', 'update', { analytics_storage: 'granted', personalization_storage: 'granted' }));
    await expect.poll(() => collects().filter((c) => c.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(collects()[0]!.body.consent).toEqual(['analytics', 'personalization']);

    await page.evaluate(() => (window as unknown as { gtag: (...a: unknown[]) => void }).gtag('consent', 'update', { analytics_storage: 'denied', personalization_storage: 'denied' }));
    await expect.poll(() => calls.some((c) => c.path === '/v1/privacy/erase'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => traces(), { timeout: 5000 }).toEqual(NO_TRACES);
  });

  it('follows the plain API any other banner calls; a withdrawal erases all but the choice, which holds on the next page', async () => {
    // A product page with things to capture: a product, a card, room to scroll.
    const { app } = await serveSdkApp(page, build, '<main data-rapport-product="78"><div data-rapport-item="79" id="card">79</div><div style="height: 3000px"></div></main>');
    await openSdkApp(page, app);
    await page.click('#card');
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await quietly();
    expect(calls).toEqual([]);
    expect(await traces()).toEqual(NO_TRACES);

    await rapport('consent', { analytics: true, personalization: true });
    await expect.poll(() => collects().filter((c) => c.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(collects()[0]!.body.consent).toEqual(['analytics', 'personalization']);
    // The page the shopper consented on counts: its view and the product it shows.
    expect(collects()[0]!.body.events.map((e: { type: string; item?: string }) => [e.type, e.item])).toEqual([
      ['page_view', undefined],
      ['product_view', '78'],
    ]);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport_vid')), { timeout: 10_000 }).toBeTruthy();
    const vid = await page.evaluate(() => localStorage.getItem('rapport_vid'));

    await rapport('consent', { analytics: false, personalization: false });
    await expect.poll(() => calls.find((c) => c.path === '/v1/privacy/erase')?.status, { timeout: 10_000 }).toBe(200);
    // The shopper's choice stays, and it is all that does: no id, no session, no queue.
    const choiceOnly = { ...NO_TRACES, local: ['rapport_consent'] };
    await expect.poll(() => traces(), { timeout: 5000 }).toEqual(choiceOnly);
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('rapport_consent')!))).toEqual({ analytics: false, personalization: false });
    expect(await page.evaluate(() => localStorage.getItem('rapport_consent'))).not.toContain(vid!);

    // The next page: nothing is sent or stored, however the shopper browses.
    const before = calls.length;
    await openSdkApp(page, app);
    await page.click('#card');
    await quietly();
    expect(calls.slice(before)).toEqual([]);
    expect(await traces()).toEqual(choiceOnly);
  });

  // How each source's signals become consent is one module in both builds: the rest against the bundled one (support.ts, BUNDLED).
  if (build !== BUNDLED) return;

  it('lets a deny-all TC string stop a page configured as granted', async () => {
    await open(build, `<script src="${base}cmp.js"></script>`, 'granted');
    await cmpUpdate(NONE);
    await quietly();
    expect(collects().filter((c) => c.status === 200).flatMap((c) => c.body.events)).toEqual([]);
    expect(await traces()).toEqual(NO_TRACES);
  });

  it('grants only what the TC string grants: purposes 1 and 8 are analytics, not personalization', async () => {
    await open(build, `<script src="${base}cmp.js"></script>`);
    await cmpUpdate(ANALYTICS);
    await expect.poll(() => collects().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(collects()[0]!.body.consent).toEqual(['analytics']);
  });

  it('withdraws when the shopper changes their mind in the CMP: local data gone, the Worker asked to erase', async () => {
    await open(build, `<script src="${base}cmp.js"></script>`);
    await cmpUpdate(ALL);
    await expect.poll(() => collects().filter((c) => c.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport_vid')), { timeout: 10_000 }).toBeTruthy();
    const vid = await page.evaluate(() => localStorage.getItem('rapport_vid'));

    const erasing: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/privacy/erase')) erasing.push(request.headers().authorization ?? '');
    });
    await cmpUpdate(NONE);
    await expect.poll(() => calls.find((c) => c.path === '/v1/privacy/erase')?.status, { timeout: 10_000 }).toBe(200);
    expect(erasing).toEqual([`Bearer ${vid}`]);
    await expect.poll(() => traces(), { timeout: 5000 }).toEqual(NO_TRACES);
  });

  it('lets the merchant default govern where TCF says GDPR does not apply', async () => {
    await open(build, `<script src="${base}cmp.js"></script>`, 'granted');
    await cmpUpdate(null);
    await expect.poll(() => collects().length, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it("keeps the shopper from page to page where Consent Mode denies by default until the CMP restores the grant", async () => {
    // As a CMP runs Consent Mode: denied by default on every page, then the shopper's stored choice as an update.
    const gtag = `<script>window.dataLayer = window.dataLayer || []; function gtag(){ dataLayer.push(arguments); }
      gtag('consent', 'default', { analytics_storage: 'denied', personalization_storage: 'denied' });</script>`;
    const grant = () => page.evaluate(() => (window as unknown as { gtag: (...a: unknown[]) => void }).gtag('consent', 'update', { analytics_storage: 'granted', personalization_storage: 'granted' }));
    const app = await open(build, gtag, 'granted');
    await grant();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport_vid')), { timeout: 10_000 }).toBeTruthy();
    const vid = await page.evaluate(() => localStorage.getItem('rapport_vid'));

    const before = calls.length;
    await openSdkApp(page, app);
    await grant();
    await expect.poll(() => collects().slice(1).filter((c) => c.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(0);
    // The default is no withdrawal: the same visitor, nothing erased.
    expect(calls.slice(before).filter((c) => c.path === '/v1/privacy/erase')).toEqual([]);
    expect(calls.slice(before).find((c) => c.path === '/v1/collect')!.body.vid).toBe(vid);
    expect(await page.evaluate(() => localStorage.getItem('rapport_vid'))).toBe(vid);
  });

  it('lets a refusal in the CMP hold on the next pages over a grant the shopper gave through the plain API', async () => {
    const app = await open(build, `<script src="${base}cmp.js"></script>`);
    await rapport('consent', { analytics: true, personalization: true });
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport_vid')), { timeout: 10_000 }).toBeTruthy();
    await cmpUpdate(NONE);
    await expect.poll(() => calls.find((c) => c.path === '/v1/privacy/erase')?.status, { timeout: 10_000 }).toBe(200);

    // The next page, before its CMP has answered: nothing is sent or stored on the strength of the older grant.
    const before = calls.length;
    await openSdkApp(page, app);
    await quietly();
    expect(calls.slice(before)).toEqual([]);
    expect((await traces()).databases).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('rapport_vid'))).toBeNull();
  });

  it('treats Global Privacy Control as an objection to personalization, whatever the CMP grants', async () => {
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    await open(build, `<script src="${base}cmp.js"></script>`);
    await cmpUpdate(ALL);
    await expect.poll(() => collects().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(collects()[0]!.body.consent).toEqual(['analytics']);
    expect(calls.filter((c) => c.path === '/v1/decide')).toEqual([]);
  });
});
