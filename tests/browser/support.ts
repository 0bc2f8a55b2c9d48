/**
 * Real Chromium for the browser tests, and a recorder for the SDK's traffic
 * so tests read as "do this, expect these requests".
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import { launchChromium } from '../support/chromium';
import { ROOT, wrangler } from '../../edge-worker/cli/wrangler';
import { DEMO_CONFIG } from '../../demo-shop/scripts/seed';

/** One request the SDK made to the Worker's API. */
export interface ApiCall {
  path: string;
  body: any;
  /** Set once the answer has arrived and its body has been read: undefined while the request is in flight. */
  status?: number;
  /**
   * The answer's JSON body; undefined for a beacon, whose answer a page on
   * the shop's origin cannot read (beacons carry credentials, which the
   * Worker's CORS does not allow).
   */
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
    call.response = await response.json().catch(() => undefined);
    call.status = response.status();
  });
  return calls;
}

/**
 * The CORS headers the Worker answers the shop origin with (edge-worker/src/http/origins.ts), for a
 * test's stand-in for one of its answers: the SDK on a shop's page can read Retry-After only because
 * the Worker exposes it (Playwright adds Access-Control-Allow-Origin to a fulfilled answer, nothing more).
 */
export function workerCors(): Record<string, string> {
  return { 'access-control-allow-origin': inject('shopOrigin'), 'access-control-expose-headers': 'Retry-After,Server-Timing', vary: 'Origin' };
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
    // Each item's reason: its reason field where the page marks one (the text alone, not the disclosure's summary), else its `.why`.
    reasons: [...el.querySelectorAll<HTMLElement>('[data-rapport-item]')].map((item) => (item.querySelector('[data-rapport-field="reason"]') ?? item.querySelector('.why'))?.textContent ?? ''),
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

/**
 * Every build, for suites that run their specs against both. A spec of what a build's own code
 * decides (how it starts and is configured, the npm app's calls and router, a module the npm build
 * imports on demand) runs against both. A spec of logic both builds share, one source module
 * bundled and minified into the script tag's file and compiled as it is into the npm package,
 * runs against `BUNDLED` alone: each spec costs a fresh browser context and page, and the suites
 * run one after another on CI's 2 cores.
 */
export const BUILDS: readonly Build[] = ['script tag', 'npm'];

/** The build that specs of logic both builds share run against: the one a build step rewrites (bundled, minified). */
export const BUNDLED: Build = 'script tag';

/** Where the npm build's app gets its framework: the browser ESM builds, runtime only (no template compiler, so no eval under a strict CSP). */
const VENDOR: Record<string, string> = {
  'vendor/vue.js': 'node_modules/vue/dist/vue.runtime.esm-browser.prod.js',
  // The prod build imports only 'vue' (the dev build also imports @vue/devtools-api).
  'vendor/vue-router.js': 'node_modules/vue-router/dist/vue-router.esm-browser.prod.js',
};

/** The shop's page of privacy controls, which both builds link from each item's "why this?". */
export const PRIVACY_PATH = '/privacy';

/**
 * The npm build's app, as a merchant would write one: Vue 3 and vue-router 4
 * with render functions (the template compiler would need eval, which a strict
 * CSP forbids); real pushState routes under /sdk-app/, each rendered afresh
 * (the view is keyed by path) and its slots filled once it is on screen.
 */
function spaScript(worker: string, consent: 'pending' | 'granted', autocapture: boolean): string {
  return `<script type="module">
  import { autocapture, consent, consentMode, export as exportData, fill, flush, forget, init, tcf, track } from '@rapport/sdk';
  import { createApp, h, nextTick } from 'vue';
  import { createRouter, createWebHistory, RouterLink, RouterView, useRoute } from 'vue-router';
  // The banners the script tag follows by itself.
  init({ endpoint: '${worker}', consent: '${consent}', flushMs: 100, sources: [tcf(), consentMode()], privacyUrl: '${PRIVACY_PATH}' });
  // What the script tag captures by itself: product views, clicks, scroll depth, engaged time.
  ${autocapture ? 'autocapture();' : ''}
  const methods = { consent, export: exportData, fill, flush, forget, track };
  window.rapport = (method, ...args) => methods[method](...args);

  const link = (to, text) => h(RouterLink, { to }, () => text);
  // Route components are objects: vue-router takes a bare function for a lazy import.
  const Home = { render: () => h('main', [h('h1', 'Home'), h('ul', ['42', '78'].map((id) => h('li', link('/products/' + id, 'Product ' + id))))]) };
  const Product = {
    props: ['id'],
    setup: (props) => () =>
      h('article', { 'data-rapport-product': props.id }, [
        h('h1', 'Product ' + props.id),
        h('section', { 'data-rapport-slot': 'similar' }, [h('p', 'default')]),
      ]),
  };
  const Cart = { render: () => h('main', [h('h1', 'Cart'), link('/app.html', 'Continue shopping')]) };
  const App = {
    setup() {
      const route = useRoute();
      return () => [h('nav', [link('/app.html', 'Home'), link('/cart', 'Cart')]), h(RouterView, { key: route.path })];
    },
  };
  const router = createRouter({
    history: createWebHistory('/sdk-app/'),
    routes: [
      { path: '/app.html', component: Home },
      { path: '/products/:id', component: Product, props: true },
      { path: '/cart', component: Cart },
    ],
  });
  // The SDK counts the route change itself; filling the new route's slots is the app's job, once they are rendered.
  router.afterEach(() => nextTick(fill));
  createApp(App).use(router).mount('#app');
  window.rapportRouter = router;
  await router.isReady();
  window.rapportReady = true;
</script>`;
}

/**
 * Serves a merchant's page, `app.html` under `/sdk-app/` on the shop origin
 * (`inject('shopOrigin')`, cross-origin to the Worker as on a merchant's
 * site), through Playwright's routing:
 * - `script tag`: a plain page loading `rapport.min.js` from the Worker (the
 *   file it really serves), `data-endpoint` the Worker's URL;
 * - `npm`: a Vue app with a real router (`spaScript`) importing `@rapport/sdk`
 *   from `sdk/dist` (read from disk, so it tests the build, not a copy)
 *   through an import map. Its routes: `app.html` (home), `products/:id` (a
 *   product page, root `[data-rapport-product]`, with a `similar` slot) and
 *   `cart`, linked by RouterLinks; the router is `window.rapportRouter`.
 *
 * Either way `window.rapport(method, ...args)` reaches the SDK once
 * `openSdkApp` resolves (the app sets `window.rapportReady`; the script tag's
 * dispatcher is `loaded`), and `body` is markup at the top of the page,
 * before the app's own; `head` (a consent banner, say) comes before the SDK,
 * which starts with `consent` ('pending' unless given), follows the TCF
 * and Consent Mode banners, captures what the page says without code
 * (autocapture, unless `autocapture: false`) and links each item's "why
 * this?" to `PRIVACY_PATH`. Every
 * path that is not a file is the app page, as a shop's server answers each
 * route of an app. With `csp`, the page comes with a strict nonce-based
 * Content-Security-Policy, its every script and style carrying the nonce.
 * `blank.html`, on the same origin (storage is per origin), loads nothing,
 * for preparing storage before the SDK runs.
 */
export async function serveSdkApp(
  page: Page,
  build: Build,
  body = '',
  { head = '', consent = 'pending', csp = false, autocapture = true }: { head?: string; consent?: 'pending' | 'granted'; csp?: boolean; autocapture?: boolean } = {},
): Promise<{ app: string; blank: string }> {
  const worker = inject('baseURL');
  const base = new URL('/sdk-app/', inject('shopOrigin')).href;
  const start =
    build === 'script tag'
      ? `<script async src="${worker}/sdk/rapport.min.js" data-endpoint="${worker}" data-consent="${consent}" data-privacy-url="${PRIVACY_PATH}"${autocapture ? '' : ' data-autocapture="off"'}></script>`
      : `<script type="importmap">{"imports": {"@rapport/sdk": "${base}sdk/index.js", "vue": "${base}vendor/vue.js", "vue-router": "${base}vendor/vue-router.js"}}</script>
<div id="app"></div>
${spaScript(worker, consent, autocapture)}`;
  const app = `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}${start}</body></html>`;
  const blank = '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>';
  await page.route(`${base}**`, (route) => {
    const path = new URL(route.request().url()).pathname.slice('/sdk-app/'.length);
    if (path === 'blank.html') return route.fulfill({ contentType: 'text/html', body: blank });
    if (path.startsWith('sdk/')) return route.fulfill({ contentType: 'text/javascript', path: join(ROOT, 'sdk/dist', path.slice(4)) });
    if (VENDOR[path]) return route.fulfill({ contentType: 'text/javascript', path: join(ROOT, VENDOR[path]) });
    if (!csp) return route.fulfill({ contentType: 'text/html', body: app });
    // A strict policy, as a shop's server sends it: a fresh nonce on each response, on every script and style of the page.
    const nonce = randomBytes(16).toString('base64');
    const policy = [
      "default-src 'self'",
      `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      `style-src 'nonce-${nonce}'`,
      `connect-src ${worker}`,
      "object-src 'none'",
      "base-uri 'none'",
    ].join('; ');
    const body = app.replace(/<(script|style)\b/g, `<$1 nonce="${nonce}"`);
    return route.fulfill({ contentType: 'text/html', headers: { 'content-security-policy': policy }, body });
  });
  return { app: `${base}app.html`, blank: `${base}blank.html` };
}

/**
 * Serves `build`'s app page (see {@link serveSdkApp}) and opens it as a
 * returning shopper who made `choice` on an earlier page (both purposes
 * granted unless given): the choice is stored first, from the same origin.
 */
export async function openConsented(
  page: Page,
  build: Build,
  body = '',
  options: Parameters<typeof serveSdkApp>[3] = {},
  choice: { analytics: boolean; personalization: boolean } = { analytics: true, personalization: true },
): Promise<{ app: string; blank: string }> {
  const { app, blank } = await serveSdkApp(page, build, body, options);
  await page.goto(blank);
  await page.evaluate((choice) => localStorage.setItem('rapport_consent', JSON.stringify(choice)), choice);
  await openSdkApp(page, app);
  return { app, blank };
}

/** Opens the app page and waits until `window.rapport` reaches the SDK. */
export async function openSdkApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  // The app says so; the script tag's dispatcher, once in place, is marked loaded.
  await page.waitForFunction(() => {
    const w = window as unknown as { rapportReady?: boolean; rapport?: { loaded?: boolean } };
    return w.rapportReady || w.rapport?.loaded;
  });
}

/** What each browser test starts with: a fresh context, its page, and that page's recorded API calls. */
export interface FreshPage {
  context: BrowserContext;
  page: Page;
  calls: ApiCall[];
}

let shared: Promise<Browser> | undefined;

/**
 * The Chromium this test process's files share (vitest.config.ts runs the browser files in one
 * process, one after another): launched by the first file that asks, again if it ever went away,
 * and stopped with the process. Each test works in a context of its own, which it closes.
 */
export function sharedChromium(): Promise<Browser> {
  shared ??= launchChromium().then((browser) => {
    browser.on('disconnected', () => (shared = undefined));
    return browser;
  });
  shared.catch(() => (shared = undefined));
  return shared;
}

/**
 * Registers a browser test file's hooks: for each test a fresh context and page (handed to
 * `use`) in the shared Chromium, the context closed after it.
 * @example perTestPage((fresh) => ({ context, page, calls } = fresh));
 */
export function perTestPage(use: (fresh: FreshPage) => void): void {
  let context: BrowserContext | undefined;
  beforeEach(async () => {
    context = await (await sharedChromium()).newContext();
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

/** What Rapport could have left in a shopper's browser: its visitor id and any IndexedDB database. */
export function rapportTraces(page: Page): Promise<{ visitor: string | null; databases: Array<string | undefined> }> {
  return page.evaluate(async () => ({ visitor: localStorage.getItem('rapport_vid'), databases: (await indexedDB.databases()).map((d) => d.name) }));
}
