/** The demo Worker in workerd: its pages, its forms without script, its drawn images, and the product API behind them. */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { call } from '../worker/helpers';

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: new URLSearchParams(fields),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  redirect: 'manual',
});

/** The value a response sets for a cookie ('' when it deletes it), or undefined when it does not touch it. */
function setCookie(res: Response, name: string): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line === undefined ? undefined : /max-age=0\b/i.test(line) ? '' : decodeURIComponent(line.slice(name.length + 1).split(';')[0]!);
}

/** Product ids in a page's listing grid, in order. */
const listed = (page: string) => [...page.matchAll(/<article class="card" data-rapport-item="(\d+)"/g)].map((m) => m[1]!);
const priceOf = (id: string) => PRODUCTS.find((p) => p.id === id)!.price;

describe('demo shop pages served by the Worker', () => {
  it('renders a product page with the stub, the documented script tag, the product marked for autocapture and its two slots', async () => {
    const res = await call('/p/1');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('r.q=r.q||[]');
    expect(page).toContain('<script async src="/sdk/rapport.min.js" data-consent="pending" data-privacy-url="/privacy"></script>');
    expect(page).toContain('data-rapport-product="1"');
    expect([...page.matchAll(/data-rapport-slot="([a-z-]+)"/g)].map((m) => m[1])).toEqual(['similar', 'together']);
    // Every default item a slot shows says why, as the items Rapport draws do.
    expect(page.match(/<article class="card" data-rapport-item/g)).toHaveLength(8);
    expect(page.match(/Why am I seeing this\?/g)).toHaveLength(10);
  });

  it('sorts and filters a category listing from its query string', async () => {
    const all = listed(await (await call('/c/smartphones')).text());
    expect(all).toHaveLength(PRODUCTS.filter((p) => p.category === 'smartphones').length);
    const cheapFirst = listed(await (await call('/c/smartphones?sort=price-asc')).text());
    expect(cheapFirst.map(priceOf)).toEqual([...cheapFirst.map(priceOf)].sort((a, b) => a - b));
    const page = await (await call('/c/smartphones?brand=Apple&max=1000&sort=price-desc')).text();
    const apples = listed(page);
    expect(apples.length).toBeGreaterThan(0);
    for (const id of apples) expect(PRODUCTS.find((p) => p.id === id)).toMatchObject({ brand: 'Apple', category: 'smartphones' });
    expect(apples.every((id) => priceOf(id) <= 1000)).toBe(true);
    expect(page).toMatch(/<option value="price-desc" selected>/);
    expect(page).toMatch(/value="Apple" checked/);
  });

  it('finds products by words of their name, brand or category, and says when nothing matches', async () => {
    const found = listed(await (await call('/search?q=iphone')).text());
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((id) => /iphone/i.test(PRODUCTS.find((p) => p.id === id)!.title))).toBe(true);
    const none = await (await call('/search?q=zzzqqq')).text();
    expect(listed(none)).toEqual([]);
    expect(none).toContain('Nothing matches “zzzqqq”');
    // The query is text, never markup.
    expect(await (await call('/search?q=%3Cscript%3E')).text()).not.toContain('<script>x');
  });

  it('keeps a cart without script: add, set, remove, each back where the shopper was', async () => {
    const added = await call('/cart', form({ item: '1', qty: '2', price: '9.99' }, { referer: 'http://rapport.test/p/1' }));
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/p/1');
    expect(setCookie(added, 'demo_cart')).toBe('1:2');
    const more = await call('/cart', form({ item: '5', qty: '1' }, { cookie: 'demo_cart=1:2' }));
    expect(setCookie(more, 'demo_cart')).toBe('1:2.5:1');
    const cart = await (await call('/cart', { headers: { cookie: 'demo_cart=1:2.5:1' } })).text();
    expect(cart).toContain('data-rapport-slot="complete-cart"');
    expect(cart).toMatch(/Total<\/th><td>\$\d+\.\d\d/);
    const removed = await call('/cart', form({ item: '1', qty: '0', set: '1' }, { cookie: 'demo_cart=1:2.5:1' }));
    expect(setCookie(removed, 'demo_cart')).toBe('5:1');
    expect((await call('/cart', form({ item: 'nope', qty: '1' }))).status).toBe(400);
    expect((await call('/cart', form({ item: '1', qty: '-3' }))).status).toBe(400);
  });

  it('checks the checkout form, places the order, and tracks its purchase on the first confirmation only', async () => {
    const cart = 'demo_cart=1:2.5:1';
    const refused = await call('/checkout', form({ name: '', email: 'not-an-email', address: 'x' }, { cookie: cart }));
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('role="alert"');
    expect(page).toMatch(/id="email"[^>]*aria-invalid="true" aria-describedby="email-error"/);

    const placed = await call('/checkout', form({ name: 'Ada', email: 'ada@example.com', address: '1 Analytical St' }, { cookie: cart }));
    expect(placed.status).toBe(303);
    const id = placed.headers.get('location')!.replace('/order/', '');
    expect(id).toMatch(/^RD-[0-9A-F]{8}$/);
    expect(setCookie(placed, 'demo_cart')).toBe('');
    const cookies = `demo_order=${encodeURIComponent(setCookie(placed, 'demo_order')!)}; demo_order_fresh=${setCookie(placed, 'demo_order_fresh')}`;

    const first = await call(`/order/${id}`, { headers: { cookie: cookies } });
    const value = Math.round((priceOf('1') * 2 + priceOf('5')) * 100) / 100;
    expect(await first.text()).toContain(`rapport('track', 'purchase', {"items":["1","5"],"order":"${id}","value":${value},"currency":"USD"})`);
    expect(setCookie(first, 'demo_order_fresh')).toBe('');
    const reloaded = await call(`/order/${id}`, { headers: { cookie: `demo_order=${encodeURIComponent(setCookie(placed, 'demo_order')!)}` } });
    const again = await reloaded.text();
    expect(again).toContain(id);
    expect(again).not.toContain("'purchase'");
    expect((await call('/order/RD-00000000', { headers: { cookie: cookies } })).status).toBe(404);
  });

  it('draws its own product images', async () => {
    const res = await call('/img/1.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg[^>]+aria-label="Essence Mascara Lash Princess"/);
  });

  it('answers unknown shop pages with a 404 page', async () => {
    expect((await call('/p/99999')).status).toBe(404);
    expect((await call('/c/not-a-category')).status).toBe(404);
    expect((await call('/no/such/page')).status).toBe(404);
  });
});

describe('the demo Worker composes the product', () => {
  it("answers the product's API on the shop's origin", async () => {
    const res = await call('/v1/health');
    expect(await res.json()).toEqual({ ok: true });
    expect((await call('/v1/nothing-here')).status).toBe(404);
  });
});
