/**
 * Real Chromium for the browser tests, and a recorder for the SDK's traffic
 * so tests read as "do this, expect these requests".
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import { launchChromium } from '../support/chromium';
import { join } from 'node:path';
import { ROOT, wrangler } from '../../edge-worker/cli/wrangler';
import { DEMO_CONFIG } from '../../demo-shop/scripts/seed';

// Browser tests take every helper from here; the launch itself is shared with the SDK benchmark.
export { launchChromium };

/** One request the SDK made to the Worker's API. */
export interface ApiCall {
  path: string;
  body: any;
  status?: number;
  response?: any;
}

/** Records every /v1 request a page makes (fetch and beacons alike), with its response. */
export function recordApi(page: Page): ApiCall[] {
  const calls: ApiCall[] = [];
  const byRequest = new Map<Request, ApiCall>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/v1/')) return;
    const call: ApiCall = { path: url.pathname, body: request.postData() ? JSON.parse(request.postData()!) : undefined };
    calls.push(call);
    byRequest.set(request, call);
  });
  page.on('response', async (response) => {
    const call = byRequest.get(response.request());
    if (!call) return;
    call.status = response.status();
    call.response = await response.json().catch(() => undefined);
  });
  return calls;
}

/** Event types in the collect requests recorded so far, in order. */
export function eventTypes(calls: ApiCall[]): string[] {
  return calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events.map((e: { type: string }) => e.type));
}

/** Waits until a slot has settled and returns its state and the item ids it shows. */
export async function settledSlot(page: Page, id: string): Promise<{ state: string; items: string[]; reasons: string[] }> {
  const slot = page.locator(`[data-rapport-slot="${id}"]`);
  await expect.poll(() => slot.getAttribute('data-rapport-state'), { timeout: 5000 }).not.toBeNull();
  return slot.evaluate((el) => ({
    state: el.getAttribute('data-rapport-state')!,
    items: [...el.querySelectorAll<HTMLElement>('[data-rapport-item]')].map((a) => a.dataset.rapportItem!),
    reasons: [...el.querySelectorAll('.why')].map((r) => r.textContent ?? ''),
  }));
}

/** A visitor's profile as the Worker exports it to them. */
export interface ExportedProfile {
  viewed: Array<{ item: string; interaction: string; at: string }>;
  cart: string[];
  purchased: string[];
  counts: { events: number; views: number; carts: number; purchases: number; sessions: number };
}

/**
 * The profile the running Worker holds for a visitor, as the shopper would
 * read it (GET /v1/privacy/export): the visitor's object, the record of
 * truth, which KV's snapshot follows once the shopper is idle. Null when there is none.
 */
export async function storedProfile(vid: string): Promise<ExportedProfile | null> {
  const res = await fetch(new URL('/v1/privacy/export', inject('baseURL')), { headers: { authorization: `Bearer ${vid}` } });
  if (!res.ok) throw new Error(`export for ${vid.slice(0, 8)}… answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { profile: ExportedProfile | null }).profile;
}

/** The profile snapshot the running Worker keeps in its local KV for a visitor (read with wrangler, as an operator would), or null. */
export function kvSnapshot(vid: string): { recent: Array<[string, number, number]> } | null {
  try {
    const text = wrangler(['kv', 'key', 'get', `p:${vid}`, '--binding', 'PROFILES', '--local', '--persist-to', inject('persistTo'), '--config', join(ROOT, DEMO_CONFIG)]);
    return JSON.parse(text) as { recent: Array<[string, number, number]> };
  } catch (err) {
    if (/not found/i.test(String(err))) return null;
    throw err;
  }
}

/** The SDK's two builds: the script-tag IIFE and the npm package's ESM modules. */
export type Build = 'script tag' | 'npm';

/** Every build, for suites that run their specs against both. */
export const BUILDS: readonly Build[] = ['script tag', 'npm'];

/**
 * Serves pages on the Worker's origin, under `/sdk-app/`, that load the SDK as
 * built in `sdk/dist` (read from disk, so they test the build, not a copy):
 * `app.html` loads it by script tag or, for `npm`, through an import map as a
 * bundled app would, calling the package's module-level functions;
 * either way `window.rapport(method, ...args)` reaches the SDK once
 * `window.rapportReady` is set. `blank.html` loads nothing, for preparing the
 * origin's storage before the SDK runs. `body` is the app page's markup.
 */
export async function serveSdkApp(page: Page, build: Build, body = ''): Promise<{ app: string; blank: string }> {
  const base = new URL('/sdk-app/', inject('baseURL')).href;
  const start =
    build === 'script tag'
      ? `<script async src="${base}sdk/rapport.min.js" onload="window.rapportReady = true"></script>`
      : `<script type="importmap">{"imports": {"@rapport/sdk": "${base}sdk/index.js"}}</script>
<script type="module">
  import { consent, export as exportData, fill, flush, forget, init, track } from '@rapport/sdk';
  init({ endpoint: location.origin, flushMs: 100 });
  const methods = { consent, export: exportData, fill, flush, forget, track };
  window.rapport = (method, ...args) => methods[method](...args);
  fill();
  window.rapportReady = true;
</script>`;
  const pages: Record<string, string> = {
    'app.html': `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}${start}</body></html>`,
    'blank.html': '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>',
  };
  await page.route(`${base}**`, (route) => {
    const path = new URL(route.request().url()).pathname.slice('/sdk-app/'.length);
    if (pages[path]) return route.fulfill({ contentType: 'text/html', body: pages[path] });
    const file = path.startsWith('sdk/') ? join(ROOT, 'sdk/dist', path.slice(4)) : join(ROOT, 'node_modules/idb/build', path.slice(4));
    return route.fulfill({ contentType: 'text/javascript', path: file });
  });
  return { app: `${base}app.html`, blank: `${base}blank.html` };
}

/** Opens the app page and waits until `window.rapport` reaches the SDK. */
export async function openSdkApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { rapportReady?: boolean }).rapportReady);
}

/** What each browser test starts with: a fresh context, its page, and that page's recorded API calls. */
export interface FreshPage {
  context: BrowserContext;
  page: Page;
  calls: ApiCall[];
}

/**
 * Registers a browser test file's hooks: one Chromium for the file, and for
 * each test a fresh context and page (handed to `use`) closed after it.
 * @example perTestPage((fresh) => ({ context, page, calls } = fresh));
 */
export function perTestPage(use: (fresh: FreshPage) => void): void {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser!.newContext();
    const page = await context.newPage();
    use({ context, page, calls: recordApi(page) });
  });
  afterEach(async () => {
    await context?.close();
  });
}

/** How often each event id arrived in a collect request the Worker accepted (200), over `calls`. */
export function acceptedEventIds(calls: ApiCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) {
    if (call.path !== '/v1/collect' || call.status !== 200) continue;
    for (const { id } of call.body.events as { id: string }[]) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The visitor id the SDK keeps for this page's origin (`localStorage.rapport_vid`), or null. */
export function storedVisitorId(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('rapport_vid'));
}
