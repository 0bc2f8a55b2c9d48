/** The demo Worker in workerd: its pages, its drawn images, and the product API behind them. */
import { describe, expect, it } from 'vitest';
import { call } from '../worker/helpers';

describe('demo shop pages served by the Worker', () => {
  it('renders a product page with the stub, the SDK tag, two slots and a product_view', async () => {
    const res = await call('/p/1');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('r.q=r.q||[]');
    expect(page).toContain('<script async src="/sdk/rapport.min.js"');
    expect(page.match(/data-rapport-slot="/g)).toHaveLength(2);
    expect(page).toContain(`rapport('track', 'product_view', { item: "1" })`);
  });

  it('draws its own product images', async () => {
    const res = await call('/img/1.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg[^>]+aria-label="Essence Mascara Lash Princess"/);
  });

  it('answers unknown shop pages with a 404 page', async () => {
    expect((await call('/p/99999')).status).toBe(404);
    expect((await call('/c/not-a-category')).status).toBe(404);
  });
});

describe('the demo Worker composes the product', () => {
  it("answers the product's API on the shop's origin", async () => {
    const res = await call('/v1/health');
    expect(await res.json()).toEqual({ ok: true });
    expect((await call('/v1/nothing-here')).status).toBe(404);
  });
});
