/**
 * The events a merchant has, in real Chromium against the real Worker, for
 * both builds: a cart change with its price, a purchase with its order id,
 * value and currency, and the attribution that lets uplift be measured: after
 * a click on a slot item, the cart changes and purchase that follow carry the
 * decision that showed it. The Worker accepts every one (no batch refused).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BUILDS, openConsented, perTestPage, settledSlot, type ApiCall } from './support';

let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ page, calls } = fresh));

const SLOT = '<section data-rapport-slot="recommended"><p>default</p></section>';

function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => Promise<unknown> }).rapport(...call), call);
}

const sentEvents = () => calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => c.body.events as Array<Record<string, unknown>>);

describe.each(BUILDS)('events a merchant has, the %s build', (build) => {
  it('sends prices, the order and its value, and attributes the cart and purchase to the decision clicked', async () => {
    await openConsented(page, build, SLOT);
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');

    // Before any click: a cart change with its price carries no decision.
    expect(await rapport('track', 'add_to_cart', { item: '1', qty: 2, price: 19.99, currency: 'EUR' })).toBe(true);

    // The shopper clicks a recommended item (the page stays, for the test).
    const decision = await page.getAttribute('[data-rapport-slot="recommended"]', 'data-rapport-decision');
    const clicked = await page.evaluate(() => {
      document.addEventListener('click', (e) => e.preventDefault());
      const item = document.querySelector<HTMLElement>('[data-rapport-slot="recommended"] [data-rapport-item]')!;
      item.click();
      return item.dataset.rapportItem!;
    });
    await expect(rapport('track', 'add_to_cart', { item: clicked, price: 5, currency: 'EUR' })).resolves.toBe(true);
    await expect(rapport('track', 'purchase', { items: ['1', clicked], order: 'order-10042', value: 44.98, currency: 'EUR' })).resolves.toBe(true);
    await rapport('flush');
    await expect.poll(() => sentEvents().filter((e) => e.type === 'purchase').length, { timeout: 10_000 }).toBe(1);

    expect(calls.filter((c) => c.path === '/v1/collect').every((c) => c.status === 200)).toBe(true);
    const byType = (type: string) => sentEvents().filter((e) => e.type === type);
    expect(byType('click')).toEqual([expect.objectContaining({ item: clicked, decision, slot: 'recommended' })]);
    expect(byType('add_to_cart')).toEqual([
      expect.objectContaining({ item: '1', qty: 2, price: 19.99, currency: 'EUR' }),
      expect.objectContaining({ item: clicked, price: 5, decision, slot: 'recommended' }),
    ]);
    expect(byType('add_to_cart')[0]).not.toHaveProperty('decision');
    expect(byType('purchase')).toEqual([expect.objectContaining({ order: 'order-10042', value: 44.98, currency: 'EUR', decision, slot: 'recommended' })]);
  });

  it('refuses a price the Worker would refuse (at track() where the build checks), and sends the rest', async () => {
    // The npm package checks each event at track(); the production script tag leaves that to the Worker.
    const checks = build === 'npm';
    await openConsented(page, build, '', {}, { analytics: true, personalization: false });
    expect(await rapport('track', 'add_to_cart', { item: '1', price: -3 })).toBe(!checks);
    expect(await rapport('track', 'purchase', { items: ['1'], currency: 'euro' })).toBe(!checks);
    expect(await rapport('track', 'purchase', { items: ['1'], value: 3, currency: 'EUR' })).toBe(true);
    await rapport('flush');
    await expect.poll(() => sentEvents().map((e) => e.type).sort(), { timeout: 15_000 }).toEqual(['page_view', 'purchase']);
    expect(sentEvents().find((e) => e.type === 'purchase')).toMatchObject({ value: 3, currency: 'EUR' });
  });
});
