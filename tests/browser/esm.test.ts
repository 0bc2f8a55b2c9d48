/**
 * The npm (ESM) build in real Chromium: a page that imports `@rapport/sdk`
 * the way a bundled single-page app would (here through an import map), wired
 * to the running Worker. The script-tag build is covered by shop.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { launchChromium, recordApi, settledSlot } from './support';

const base = inject('baseURL');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">{"imports": {"@rapport/sdk": "/esm-app/sdk/index.js", "idb": "/esm-app/idb/index.js"}}</script>
</head><body>
<section data-rapport-slot="recommended"><h2 data-rapport-title>Default heading</h2>
  <ul data-rapport-list><template><li><a data-rapport-field="url"><span data-rapport-field="title"></span></a></li></template><li>default item</li></ul>
</section>
<script type="module">
  import { init } from '@rapport/sdk';
  window.rapport = init({ endpoint: location.origin, flushMs: 100 });
  window.rapportReady = true;
</script>
</body></html>`;

/** Serves the app page, the built ESM SDK and idb from disk, on the Worker's origin. */
async function serveApp(page: Page): Promise<void> {
  await page.route(`${base}/esm-app/**`, (route) => {
    const path = new URL(route.request().url()).pathname.replace('/esm-app/', '');
    if (path === 'index.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
    const file = path.startsWith('sdk/') ? join(ROOT, 'sdk/dist', path.slice(4)) : join(ROOT, 'node_modules/idb/build', path.slice(4));
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file, 'utf8') });
  });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the ESM build in an app', () => {
  it('tracks after consent and fills the slot from what the shopper viewed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await serveApp(page);
    const calls = recordApi(page);
    await page.goto(`${base}/esm-app/index.html`);
    await page.waitForFunction(() => (window as unknown as { rapportReady?: boolean }).rapportReady);
    expect((await settledSlot(page, 'recommended')).state).toBe('default');
    expect(calls).toEqual([]);

    const queued = await page.evaluate(async () => {
      const sdk = (window as unknown as { rapport: import('../../sdk/src/index').Rapport }).rapport;
      sdk.consent({ analytics: true, personalization: true });
      const results = await Promise.all(['78', '79', '80'].map((item) => sdk.track('product_view', { item })));
      await sdk.flush();
      return results;
    });
    expect(queued).toEqual([true, true, true]);
    expect(calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events.map((e: { item?: string }) => e.item))).toEqual(['78', '79', '80']);

    // The visitor's profile reaches KV within a second; a later page view is personal.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.waitForFunction(() => (window as unknown as { rapportReady?: boolean }).rapportReady);
          return (await settledSlot(page, 'recommended')).state;
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toBe('filled');
    expect(await page.locator('[data-rapport-title]').textContent()).toBe('Recommended for you');
    await context.close();
  });
});
