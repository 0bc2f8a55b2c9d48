/**
 * The demo shop's pages as a Hono app, mounted in front of the Rapport
 * Worker by `index.ts`. Static files (CSS, the shop's scripts, the SDK
 * bundle) come from the demo Worker's assets (`demo-shop/public`).
 *
 * Every form works without script (the cart and the checkout post here);
 * the shop's script adds what only the browser can do: tracking the cart's
 * changes with Rapport as they happen.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CART_COOKIE, CART_DAYS, cartLines, cartTotal, formatCart, MAX_QUANTITY, readCart } from './cart';
import { CATEGORIES, categoryTitle, PRODUCTS, PRODUCTS_BY_ID } from './catalog';
import { productImage } from './image';
import { applyFilters, readFilters, search } from './listing';
import {
  cartPage,
  categoriesPage,
  checkoutPage,
  homePage,
  licencesPage,
  listingPage,
  notFoundPage,
  orderPage,
  productPage,
  type CheckoutForm,
  type Order,
} from './pages';
import { privacyPage } from './privacy-page';
import { spaApi } from './spa-api';
import { spaPage } from './spa-page';
import { viewOf } from './view';

const byPopularity = [...PRODUCTS].sort((a, b) => b.popularity - a.popularity);

/** The last order placed in this browser (`<order id>~<cart>`), for its confirmation page. */
const ORDER_COOKIE = 'demo_order';
/** Set when an order is placed, cleared by the confirmation that tracks its purchase: a reload tracks nothing. */
const FRESH_ORDER_COOKIE = 'demo_order_fresh';
const COOKIE = { path: '/', sameSite: 'Lax', httpOnly: false } as const;

function filtersOf(c: Context, unsorted: 'featured' | 'relevance') {
  return readFilters(
    (name) => c.req.query(name),
    (name) => c.req.queries(name),
    unsorted,
  );
}

/** Where a form posted without script goes back to: the page it came from on this site, else the cart. */
function back(c: Context): string {
  const referer = c.req.header('referer');
  if (referer) {
    const from = new URL(referer);
    if (from.origin === new URL(c.req.url).origin) return from.pathname + from.search;
  }
  return '/cart';
}

const field = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');

/** The checkout's checks: what a shopper sees next to a field they must correct. */
function checkForm(form: CheckoutForm): Partial<Record<keyof CheckoutForm, string>> {
  const errors: Partial<Record<keyof CheckoutForm, string>> = {};
  if (!form.name) errors.name = 'Enter your name';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)) errors.email = 'Enter an email address like name@example.com';
  if (!form.address) errors.address = 'Enter a delivery address';
  return errors;
}

export const demoShop = new Hono<{ Bindings: Env }>()
  .get('/', (c) => c.html(homePage(viewOf(c), byPopularity)))
  .get('/categories', (c) => c.html(categoriesPage(viewOf(c))))
  .get('/c/:category', (c) => {
    const category = c.req.param('category');
    if (!CATEGORIES.includes(category)) return c.html(notFoundPage(viewOf(c)), 404);
    const scope = byPopularity.filter((p) => p.category === category);
    const filters = filtersOf(c, 'featured');
    return c.html(listingPage(viewOf(c), { heading: categoryTitle(category), scope, shown: applyFilters(scope, filters), filters, empty: 'No product matches these filters.' }));
  })
  .get('/search', (c) => {
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const scope = search(PRODUCTS, query);
    const filters = filtersOf(c, 'relevance');
    const view = { ...viewOf(c), query };
    const heading = query ? `Results for “${query}”` : 'Search';
    const empty = query ? `Nothing matches “${query}”. Try another word, or browse the categories.` : 'Type what you are looking for in the search box above.';
    return c.html(listingPage(view, { heading, scope, shown: applyFilters(scope, filters), filters, query, empty }));
  })
  .get('/p/:id', (c) => {
    const product = PRODUCTS_BY_ID.get(c.req.param('id'));
    if (!product) return c.html(notFoundPage(viewOf(c)), 404);
    const similar = byPopularity.filter((p) => p.category === product.category && p.id !== product.id);
    const together = byPopularity.filter((p) => p.category !== product.category);
    return c.html(productPage(viewOf(c), product, similar, together));
  })
  .get('/cart', (c) => c.html(cartPage(viewOf(c), byPopularity)))
  // Without script: add (`qty` more) or set (`set=1`: to `qty`, 0 removes) one item, then back.
  .post('/cart', async (c) => {
    const form = await c.req.parseBody();
    const item = field(form, 'item');
    const qty = Number(field(form, 'qty'));
    if (!PRODUCTS_BY_ID.has(item) || !Number.isInteger(qty) || qty < 0 || qty > MAX_QUANTITY) return c.text('Bad cart change', 400);
    const cart = new Map(readCart(getCookie(c, CART_COOKIE)));
    const next = Math.min(field(form, 'set') === '1' ? qty : (cart.get(item) ?? 0) + qty, MAX_QUANTITY);
    if (next > 0) cart.set(item, next);
    else cart.delete(item);
    setCookie(c, CART_COOKIE, formatCart(cart), { ...COOKIE, maxAge: CART_DAYS * 86_400 });
    return c.redirect(back(c), 303);
  })
  .get('/checkout', (c) => c.html(checkoutPage(viewOf(c), { name: '', email: '', address: '' })))
  .post('/checkout', async (c) => {
    const body = await c.req.parseBody();
    const form = { name: field(body, 'name'), email: field(body, 'email'), address: field(body, 'address') };
    const view = viewOf(c);
    const errors = checkForm(form);
    if (!view.cart.size) return c.redirect('/cart', 303);
    if (Object.keys(errors).length) return c.html(checkoutPage(view, form, errors), 422);
    // The details typed are not kept: a demo order is its id and its lines.
    const id = `RD-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    setCookie(c, ORDER_COOKIE, `${id}~${formatCart(view.cart)}`, { ...COOKIE, maxAge: CART_DAYS * 86_400 });
    setCookie(c, FRESH_ORDER_COOKIE, id, { ...COOKIE, maxAge: 600 });
    deleteCookie(c, CART_COOKIE, { path: '/' });
    return c.redirect(`/order/${id}`, 303);
  })
  .get('/order/:id', (c) => {
    const [id, cart] = (getCookie(c, ORDER_COOKIE) ?? '').split('~');
    if (!id || id !== c.req.param('id')) return c.html(notFoundPage(viewOf(c)), 404);
    const lines = cartLines(readCart(cart));
    const order: Order = { id, lines, total: cartTotal(lines) };
    const fresh = getCookie(c, FRESH_ORDER_COOKIE) === id;
    if (fresh) deleteCookie(c, FRESH_ORDER_COOKIE, { path: '/' });
    c.header('Cache-Control', 'no-store');
    return c.html(orderPage(viewOf(c), order, fresh));
  })
  .get('/privacy', (c) => c.html(privacyPage(viewOf(c))))
  .get('/gifts', (c) => c.html(spaPage(viewOf(c))))
  .get('/gifts/*', (c) => c.html(spaPage(viewOf(c))))
  .route('/api', spaApi)
  .get('/licences', (c) => c.html(licencesPage(viewOf(c))))
  .get('/img/:file{[0-9]+\\.svg}', (c) => {
    const product = PRODUCTS_BY_ID.get(c.req.param('file').replace('.svg', ''));
    if (!product) return c.notFound();
    return c.body(productImage(product), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  });
