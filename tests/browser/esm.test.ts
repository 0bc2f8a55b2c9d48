/**
 * The npm (ESM) build in real Chromium: a Vue app with a real router, on a
 * shop's origin, that imports `@rapport/sdk` the way a bundled single-page
 * app would (here through an import map, one file per module as published,
 * the IndexedDB queue loaded only once consent is given), wired to the
 * running Worker cross-origin. The script-tag build is covered by
 * shop.test.ts; the sdk-*.test.ts suites run their specs against both builds.
 */
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openSdkApp, recordApi, serveSdkApp, settledSlot, sharedChromium } from './support';

const SLOT = `<section data-rapport-slot="recommended"><h2 data-rapport-title>Default heading</h2>
  <ul data-rapport-list><template><li><a data-rapport-field="url"><span data-rapport-field="title"></span></a></li></template><li>default item</li></ul>
</section>`;

let context: BrowserContext | undefined;
afterEach(async () => {
  await context?.close();
});

describe('the ESM build in an app', () => {
  it('loads nothing but itself before consent, then tracks and fills the slot from what the shopper viewed', async () => {
    context = await (await sharedChromium()).newContext();
    const page = await context.newPage();
    const { app } = await serveSdkApp(page, 'npm', SLOT);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    const calls = recordApi(page);
    await openSdkApp(page, app);
    expect((await settledSlot(page, 'recommended')).state).toBe('default');
    expect(calls).toEqual([]);
    // No consent, no queue: the IndexedDB queue was not downloaded, and no database exists.
    expect(scripts.filter((path) => /idb|indexeddb/.test(path))).toEqual([]);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);

    const queued = await page.evaluate(async () => {
      const rapport = (window as unknown as { rapport: (...call: unknown[]) => Promise<boolean> }).rapport;
      await rapport('consent', { analytics: true, personalization: true });
      const results = await Promise.all(['78', '79', '80'].map((item) => rapport('track', 'product_view', { item })));
      await rapport('flush');
      return results;
    });
    expect(queued).toEqual([true, true, true]);
    expect(scripts).toContain('/sdk-app/sdk/indexeddb.js');
    // The page view consent came too late for counts once it is given, then the three product views.
    expect(calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events.map((e: { type: string; item?: string }) => e.item ?? e.type))).toEqual(['page_view', '78', '79', '80']);

    // A later page is personal (the session's views travel with its decide).
    await expect
      .poll(
        async () => {
          await openSdkApp(page, app);
          return (await settledSlot(page, 'recommended')).state;
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toBe('filled');
    expect(await page.locator('[data-rapport-title]').textContent()).toBe('Recommended for you');
  });
});
