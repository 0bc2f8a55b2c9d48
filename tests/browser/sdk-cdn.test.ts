/**
 * The script tag as a CDN-hosted tag, against the running Worker: the alias
 * /sdk/rapport.min.js is short-lived but may be served stale; each build also
 * lives at /sdk/<build>/rapport.min.js, cached for a year, immutable, and
 * /sdk/integrity.json names it with the SRI hash of its bytes. In Chromium, a
 * shop's page (its own origin, no request routing, which would turn the HTTP
 * cache off) loads the versioned URL with `integrity` and `crossorigin`, is
 * refused a copy that does not match, and still runs the SDK when it is
 * reloaded offline, from the browser's cache, where the old policy
 * (`max-age=0, must-revalidate`) leaves it without one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stubSnippet } from '../../sdk/src/stub';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { perTestPage } from './support';

const worker = inject('baseURL');
/** What `npm run build` wrote for the npm package, beside the script it describes. */
const built = {
  script: readFileSync(join(ROOT, 'sdk/dist/rapport.min.js')),
  manifest: JSON.parse(readFileSync(join(ROOT, 'sdk/dist/integrity.json'), 'utf8')) as Manifest,
};

/** /sdk/integrity.json: which build the Worker serves, where, and its SRI hash. */
interface Manifest {
  version: string;
  src: string;
  integrity: string;
}

/**
 * A shop's offline shell, as an installable shop has one: its service worker
 * answers navigations from the network, else from its cache, and leaves every
 * other request (the SDK's tag among them) to the browser's HTTP cache, so the
 * Worker's headers alone decide whether the tag loads offline. (A reload
 * without one revalidates the page itself and fails offline before any tag.)
 */
const OFFLINE_PAGE = 'offline';
const OFFLINE_SHELL = `
addEventListener('install', (event) => event.waitUntil(caches.open('shell').then((cache) => cache.add('/${OFFLINE_PAGE}.html')).then(() => skipWaiting())));
addEventListener('activate', (event) => event.waitUntil(clients.claim()));
addEventListener('fetch', (event) => {
  if (event.request.mode === 'navigate') event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
});`;

/** The Subresource Integrity value of `bytes`, as browsers check it. */
const sri = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** GET from the Worker as a shop's page on another origin would. */
async function get(path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(new URL(path, worker), { headers: { origin: 'https://shop.example' } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** What a cache sees of `path`: its status, cache policy and CORS. */
async function served(path: string) {
  const { status, headers } = await get(path);
  return { path, status, cacheControl: headers.get('cache-control'), cors: headers.get('access-control-allow-origin') };
}

describe('what the Worker sends for the SDK', () => {
  it('serves the alias briefly fresh, then stale while it revalidates or when the Worker fails', async () => {
    for (const path of ['/sdk/rapport.min.js', '/sdk/rapport.min.js.map', '/sdk/integrity.json']) {
      expect(await served(path)).toEqual({
        path,
        status: 200,
        cacheControl: 'public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400',
        cors: '*',
      });
    }
    const alias = await get('/sdk/rapport.min.js');
    expect(alias.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // The script does not name its map; the header does, relative to the script, and it is there.
    expect(alias.body.toString()).not.toContain('sourceMappingURL');
    expect(alias.headers.get('sourcemap')).toBe('rapport.min.js.map');
    expect(JSON.parse((await get('/sdk/rapport.min.js.map')).body.toString())).toMatchObject({ version: 3, file: 'rapport.min.js' });
    expect(alias.headers.get('x-content-type-options')).toBe('nosniff');
    // What a cache revalidates with: unchanged, it answers 304 and the same policy.
    const again = await fetch(new URL('/sdk/rapport.min.js', worker), { headers: { 'if-none-match': alias.headers.get('etag')! } });
    expect([again.status, again.headers.get('cache-control')]).toEqual([304, alias.headers.get('cache-control')]);
  });

  it('serves the build integrity.json names for a year, immutable, with bytes matching its SRI hash', async () => {
    const manifest = JSON.parse((await get('/sdk/integrity.json')).body.toString()) as Manifest;
    expect(manifest).toEqual(built.manifest);
    expect(manifest.src).toMatch(/^\/sdk\/[0-9a-f]{16}\/rapport\.min\.js$/);
    expect(manifest.version).toBe(JSON.parse(readFileSync(join(ROOT, 'sdk/package.json'), 'utf8')).version);

    for (const path of [manifest.src, `${manifest.src}.map`]) {
      expect(await served(path)).toEqual({
        path,
        status: 200,
        cacheControl: 'public, max-age=31536000, immutable',
        cors: '*',
      });
    }
    const versioned = await get(manifest.src);
    expect(sri(versioned.body)).toBe(manifest.integrity);
    expect(versioned.headers.get('sourcemap')).toBe('rapport.min.js.map');
    // The same bytes as the alias and as the npm package's script.
    expect(versioned.body.equals((await get('/sdk/rapport.min.js')).body)).toBe(true);
    expect(versioned.body.equals(built.script)).toBe(true);
  });

  it('answers 404, cached nowhere, for a build it does not serve', async () => {
    const { status, headers } = await get('/sdk/0123456789abcdef/rapport.min.js');
    expect([status, headers.get('cache-control')]).toEqual([404, null]);
  });

  it('serves the demo shop the product Worker\'s own header rules', () => {
    // The browser tests run the demo; the build copies the product's rules beside its SDK files.
    expect(readFileSync(join(ROOT, 'demo-shop/public/_headers'), 'utf8')).toBe(readFileSync(join(ROOT, 'edge-worker/public/_headers'), 'utf8'));
  });
});

describe('a shop page loading the tag', () => {
  let context: BrowserContext;
  let page: Page;
  perTestPage((fresh) => ({ context, page } = fresh));

  /** A shop on its own origin: its pages, cacheable for 10 minutes, and the SDK as the Worker used to serve it. */
  let shop: Server;
  let shopOrigin: string;
  const pages = new Map<string, string>();
  beforeAll(async () => {
    shop = createServer((req, res) => {
      if (req.url === '/offline-shell.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' });
        return res.end(OFFLINE_SHELL);
      }
      if (req.url === '/old/rapport.min.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=0, must-revalidate', etag: '"old"', 'access-control-allow-origin': '*' });
        return res.end(built.script);
      }
      const html = pages.get(req.url!);
      res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=600' });
      res.end(html ?? 'not found');
    });
    await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
    shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => shop.close(() => done())));

  /**
   * Serves a page with the stub, `attributes` on the SDK's tag, and one slot;
   * returns its URL. With `offline`, the page installs the shop's offline shell.
   */
  function shopPage(name: string, src: string, attributes = '', { offline = false } = {}): string {
    pages.set(
      `/${name}.html`,
      `<!doctype html><html><head><meta charset="utf-8">${stubSnippet()}
<script async src="${src}" ${attributes} data-endpoint="${worker}" onload="window.sdk='loaded'" onerror="window.sdk='failed'"></script>
${offline ? `<script>navigator.serviceWorker.register('/offline-shell.js')</script>` : ''}
</head><body><section data-rapport-slot="recommended"><div data-rapport-list><p>default</p></div></section></body></html>`,
    );
    return `${shopOrigin}/${name}.html`;
  }

  /**
   * Whether the SDK ran on the page as it is now: its tag loaded or failed,
   * and, if it ran, it settled the slot (consent is pending, so with its
   * default content), which nothing but the SDK does.
   */
  async function sdkRan(): Promise<boolean> {
    const outcome = await page.waitForFunction(() => (window as unknown as { sdk?: string }).sdk, undefined, { timeout: 10_000 });
    const loaded = (await outcome.jsonValue()) === 'loaded';
    const slot = page.locator('[data-rapport-slot]');
    if (loaded) await expect.poll(() => slot.getAttribute('data-rapport-state'), { timeout: 5000 }).toBe('default');
    else expect(await slot.getAttribute('data-rapport-state')).toBeNull();
    return loaded;
  }

  it('runs the versioned build with integrity and crossorigin, and refuses a copy that does not match', async () => {
    const { src, integrity } = built.manifest;
    await page.goto(shopPage('versioned', `${worker}${src}`, `integrity="${integrity}" crossorigin="anonymous"`));
    expect(await sdkRan()).toBe(true);

    // Another build's hash (here the alias's script with one byte more): the browser must not run it.
    const other = sri(Buffer.concat([built.script, Buffer.from('\n')]));
    await page.goto(shopPage('tampered', `${worker}${src}`, `integrity="${other}" crossorigin="anonymous"`));
    expect(await sdkRan()).toBe(false);
  });

  it.each([
    ['runs the alias', () => `${worker}/sdk/rapport.min.js`, true],
    ['runs the versioned build', () => `${worker}${built.manifest.src}`, true],
    ['cannot run a copy served as the Worker used to (max-age=0, must-revalidate)', () => `${shopOrigin}/old/rapport.min.js`, false],
  ])('reloaded offline, %s from the cache', async (_, src, runsOffline) => {
    await page.goto(shopPage(OFFLINE_PAGE, src(), 'crossorigin="anonymous"', { offline: true }));
    expect(await sdkRan()).toBe(true);
    await page.waitForFunction(() => navigator.serviceWorker.controller);

    await context.setOffline(true);
    await page.reload();
    // The shell served the page itself (the tag goes past it, to the browser's HTTP cache).
    expect(await page.evaluate(() => performance.getEntriesByType('navigation')[0]!.toJSON().workerStart > 0)).toBe(true);
    expect(await sdkRan()).toBe(runsOffline);
  });
});
