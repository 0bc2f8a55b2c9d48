/**
 * Single-page apps, in real Chromium against the real Worker, for both
 * builds: a page view on every route change (pushState, replaceState to
 * another path, back and forward, hashchange, a back/forward-cache restore),
 * none for a replaceState that keeps the route (a query update), and the next
 * decision asks about the new route, not the product of the previous one.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BUILDS, openSdkApp, perTestPage, serveSdkApp, type ApiCall } from './support';

let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => Promise<unknown> }).rapport(...call), call);
}

/** The paths of the page views the Worker accepted, in order. */
const pageViews = () =>
  calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => (c.body.events as Array<{ type: string; path: string }>).filter((e) => e.type === 'page_view').map((e) => e.path));

describe.each(BUILDS)('a single-page app, the %s build', (build) => {
  it('counts a page view for every route change, and none for a query update', async () => {
    const { app, blank } = await serveSdkApp(page, build);
    await page.goto(blank);
    await page.evaluate(() => localStorage.setItem('rapport_consent', JSON.stringify({ analytics: true, personalization: true })));
    await openSdkApp(page, app);
    await page.evaluate(() => {
      history.pushState({}, '', '/sdk-app/products/42');
      history.replaceState({}, '', '/sdk-app/products/42?colour=red'); // the same route: no page view
      history.replaceState({}, '', '/sdk-app/cart'); // another route
      location.hash = '#/checkout';
    });
    await page.waitForFunction(() => location.hash === '#/checkout');
    await page.goBack(); // popstate back to /sdk-app/cart
    await page.waitForFunction(() => location.hash === '');
    // A back/forward-cache restore shows the page again: a page view.
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await rapport('flush');
    await expect
      .poll(pageViews, { timeout: 10_000 })
      .toEqual(['/sdk-app/app.html', '/sdk-app/products/42', '/sdk-app/cart', '/sdk-app/cart', '/sdk-app/cart', '/sdk-app/cart']);
  });

  it('asks the next decision about the new route, not the product of the previous one', async () => {
    const { app, blank } = await serveSdkApp(page, build, '<section data-rapport-slot="recommended"><p>default</p></section>');
    await page.goto(blank);
    await page.evaluate(() => localStorage.setItem('rapport_consent', JSON.stringify({ analytics: true, personalization: true })));
    await openSdkApp(page, app);
    await rapport('track', 'product_view', { item: '78' });
    await page.evaluate(() => {
      history.pushState({}, '', '/sdk-app/home');
      // The app renders the new route's slot, then asks for it.
      document.body.insertAdjacentHTML('beforeend', '<section data-rapport-slot="recommended" id="second"><p>default</p></section>');
    });
    await rapport('fill');
    const decides = calls.filter((c) => c.path === '/v1/decide');
    expect(decides.at(-1)!.body.context).toMatchObject({ path: '/sdk-app/home', recent: ['78'] });
    expect(decides.at(-1)!.body.context).not.toHaveProperty('item');
    await expect.poll(() => page.getAttribute('#second', 'data-rapport-state'), { timeout: 5000 }).toBe('filled');
  });
});
