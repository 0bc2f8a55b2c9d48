/**
 * Single-page apps, in real Chromium against the real Worker, for both
 * builds on a shop's origin: the npm build in a Vue app whose router
 * (vue-router) changes the route, from a link or from code; the script tag on
 * a plain page whose own code does, through the History API. A page view on
 * every route change (pushState, replaceState to another path, back and
 * forward, hashchange, a back/forward-cache restore), none for a replaceState
 * that keeps the route (a query update), and the new route's slot is decided
 * for the new route and its product, not the product of the previous one.
 */
import type { Page } from 'playwright-core';
import type { RouteLocationRaw, Router } from 'vue-router';
import { describe, expect, it } from 'vitest';
import { BUILDS, openConsented as openShop, perTestPage, type ApiCall, type Build } from './support';

let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => Promise<unknown> }).rapport(...call), call);
}

/** Navigates with the npm build's app router, as the app's own code would; resolves once the new route is rendered. */
function router(method: 'push' | 'replace', to: RouteLocationRaw): Promise<void> {
  return page.evaluate(
    async ([method, to]) => {
      await (window as unknown as { rapportRouter: Router }).rapportRouter[method](to);
    },
    [method, to] as const,
  );
}

/** Opens the app as a shopper who consented to both purposes on an earlier page. */
const openConsented = (build: Build) => openShop(page, build);

/** The paths of the page views the Worker accepted, in order. */
const pageViews = () =>
  calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => (c.body.events as Array<{ type: string; path: string }>).filter((e) => e.type === 'page_view').map((e) => e.path));

describe.each(BUILDS)('a single-page app, the %s build', (build) => {
  /**
   * Shows product `id` as each page does: the app's router renders the
   * product route and the app fills its slots; the plain page pushes the
   * route and puts the product's markup in place of the last, and the script
   * tag notices the new slot by itself.
   */
  async function showProduct(id: string): Promise<void> {
    if (build === 'npm') return router('push', `/products/${id}`);
    await page.evaluate((id) => {
      history.pushState({}, '', `/sdk-app/products/${id}`);
      document.querySelector('[data-rapport-product]')?.remove();
      document.body.insertAdjacentHTML('beforeend', `<article data-rapport-product="${id}"><section data-rapport-slot="similar"><p>default</p></section></article>`);
    }, id);
  }

  it('counts a page view for every route change, and none for a query update', async () => {
    await openConsented(build);
    if (build === 'npm') {
      await page.getByRole('link', { name: 'Product 42' }).click();
      await page.waitForURL('**/sdk-app/products/42');
      await router('replace', { query: { colour: 'red' } }); // the same route: no page view
      await router('replace', '/cart'); // another route
    } else {
      await page.evaluate(() => {
        history.pushState({}, '', '/sdk-app/products/42');
        history.replaceState({}, '', '/sdk-app/products/42?colour=red'); // the same route: no page view
        history.replaceState({}, '', '/sdk-app/cart'); // another route
      });
    }
    await page.evaluate(() => (location.hash = '#/checkout'));
    await page.waitForFunction(() => location.hash === '#/checkout');
    // Back to /sdk-app/cart: a popstate.
    await (build === 'npm' ? page.evaluate(() => (window as unknown as { rapportRouter: Router }).rapportRouter.back()) : page.goBack());
    await page.waitForFunction(() => location.hash === '');
    // A back/forward-cache restore shows the page again: a page view.
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await rapport('flush');
    await expect
      .poll(pageViews, { timeout: 10_000 })
      .toEqual(['/sdk-app/app.html', '/sdk-app/products/42', '/sdk-app/cart', '/sdk-app/cart', '/sdk-app/cart', '/sdk-app/cart']);
  });

  it("decides the new route's slot for that route's product, not for the previous one", async () => {
    await openConsented(build);
    await showProduct('78');
    await showProduct('42');
    // A slot of its own, rendered for product 42, not the one product 78 showed.
    const slot = page.locator('[data-rapport-product="42"] [data-rapport-slot="similar"]');
    await expect.poll(() => slot.getAttribute('data-rapport-state'), { timeout: 5000 }).toBe('filled');
    const decides = calls.filter((c) => c.path === '/v1/decide');
    expect(decides.at(-1)!.body.slots).toEqual([{ id: 'similar' }]);
    // Each product page's view is counted from its data-rapport-product, in time for its decision.
    expect(decides.at(-1)!.body.context).toMatchObject({ path: '/sdk-app/products/42', item: '42', recent: ['78', '42'] });
  });
});
