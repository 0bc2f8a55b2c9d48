/**
 * The demo shop's pages, rendered on the server like any shop's. They use
 * Rapport exactly as the README tells a merchant to: the stub in <head>, the
 * SDK by script tag, slots marked with `data-rapport-slot` (their children
 * are the default content), products and items marked for autocapture, and
 * the events only the shop knows (search, cart, checkout, purchase) through
 * `rapport('track', …)` in its own script (bundles/shop.ts, served as /js/shop.js).
 */
import { html, raw } from 'hono/html';
import { stubSnippet } from '../../sdk/src/stub';
import { cartCount, cartLines, cartTotal, MAX_QUANTITY, type Line } from './cart';
import { CATEGORIES, categoryTitle, imageUrl, productUrl, type Product } from './catalog';
import { consentBanner, consentHead } from './consent-banner';
import { brandsOf, RATING_STEPS, SORTS, type Filters } from './listing';
import type { Html, View } from './view';

export const price = (p: number) => `$${p.toFixed(2)}`;

/** The categories the header names; the rest are one click away on "All categories". */
const HEADER_CATEGORIES = ['smartphones', 'laptops', 'mens-shirts', 'womens-dresses', 'furniture', 'groceries', 'beauty', 'sports-accessories'];

export interface LayoutOptions {
  /** How the page loads Rapport: the script tag (every page of the multi-page shop) or not at all (the single-page section imports the npm build itself). */
  sdk?: 'script-tag' | 'none';
  /** Scripts and stylesheets this page adds to <head>. */
  head?: Html;
}

/** The page frame: head with the stub and the SDK, header with search and cart, footer with the privacy controls, the consent banner. */
export function layout(view: View, title: string, body: Html, options: LayoutOptions = {}): Html {
  const scriptTag = (options.sdk ?? 'script-tag') === 'script-tag';
  const count = cartCount(view.cart);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Rapport demo shop</title>
${consentHead(view.cmp)}
${scriptTag ? html`${raw(stubSnippet())}
<script async src="/sdk/rapport.min.js" data-consent="pending" data-privacy-url="/privacy"></script>` : ''}
<script type="module" src="/js/shop.js"></script>
<link rel="stylesheet" href="/shop.css">
${options.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Rapport <span>demo shop</span></a>
  <form class="search" role="search" action="/search">
    <label for="search-q" class="visually-hidden">Search the shop</label>
    <input id="search-q" name="q" type="search" placeholder="Search products" value="${view.path === '/search' ? (view.query ?? '') : ''}" maxlength="200" autocomplete="off">
    <button type="submit">Search</button>
  </form>
  <a class="cart-link" href="/cart">Cart <span class="count" data-cart-count aria-label="${count} ${count === 1 ? 'item' : 'items'}">${count}</span></a>
  <nav aria-label="Categories">
    ${HEADER_CATEGORIES.map((c) => navLink(view, `/c/${c}`, categoryTitle(c)))}
    ${navLink(view, '/categories', 'All categories')}
    ${navLink(view, '/gifts', 'Gift finder')}
  </nav>
</header>
<main id="main" tabindex="-1">${body}</main>
<footer>
  <nav aria-label="Shop information">
    <a href="/privacy">Privacy centre</a>
    <button type="button" class="linkish" data-consent-open>Cookie and privacy choices</button>
    <a href="/admin/">Merchant dashboard</a>
    <a href="/licences">Licences</a>
  </nav>
  <p>A demonstration of Rapport, open-source personalization. Product names, brands, prices, ratings and stock come from the DummyJSON catalog (MIT); descriptions are written and pictures drawn by the shop. Nothing here is for sale.</p>
</footer>
${consentBanner(view.cmp)}
</body>
</html>`;
}

function navLink(view: View, href: string, label: string): Html {
  const current = view.path === href || (href !== '/' && view.path.startsWith(`${href}/`));
  return html`<a href="${href}"${current ? raw(' aria-current="page"') : ''}>${label}</a>`;
}

/** Stars for a rating, with the number for screen readers and anyone counting. */
function stars(rating: number): Html {
  const full = Math.round(rating);
  return html`<span class="stars" aria-hidden="true">${'★'.repeat(full)}${'☆'.repeat(5 - full)}</span> <span class="rating-number">${rating.toFixed(1)}<span class="visually-hidden"> out of 5</span></span>`;
}

/**
 * A product card. `why` (for a slot's default items) adds the "why this?"
 * disclosure every recommended item has; the shop's own listings have none.
 */
export function card(p: Product, why?: string): Html {
  return html`<article class="card" data-rapport-item="${p.id}">
  <a href="${productUrl(p)}"><img src="${imageUrl(p)}" alt="" width="240" height="180" loading="lazy"><h3>${p.title}</h3></a>
  <p class="meta">${p.brand ? html`<span class="brand-name">${p.brand}</span> · ` : ''}${stars(p.rating)}</p>
  <p class="price">${price(p.price)}${p.stock > 0 ? '' : html` <span class="out">Out of stock</span>`}</p>
  ${why ? whyThis(why) : ''}
</article>`;
}

function whyThis(reason: Html | string): Html {
  return html`<details class="why"><summary>Why am I seeing this?</summary><p>${reason} <a href="/privacy">Your privacy choices</a></p></details>`;
}

/**
 * A personalized slot. Its children are the default content (shown until a
 * decision arrives, and kept if none does in time or the shopper did not
 * consent); the template tells the SDK how to draw an item.
 */
export function slot(id: string, heading: string, fallback: readonly Product[], why: string): Html {
  return html`<section class="slot" data-rapport-slot="${id}" aria-labelledby="slot-${id}">
  <h2 id="slot-${id}" data-rapport-title>${heading}</h2>
  <div class="grid" data-rapport-list>
    <template><article class="card"><a data-rapport-field="url"><img data-rapport-field="image" width="240" height="180"><h3 data-rapport-field="title"></h3></a><p class="price">$<span data-rapport-field="price"></span></p><details class="why"><summary>Why am I seeing this?</summary><p><span data-rapport-field="reason"></span> <a data-rapport-field="privacy">Your privacy choices</a></p></details></article></template>
    ${fallback.map((p) => card(p, why))}
  </div>
</section>`;
}

export function homePage(view: View, popular: readonly Product[]): Html {
  return layout(
    view,
    'Home',
    html`<section class="hero" data-rapport-slot="hero" aria-label="Featured">
  <h1><a data-rapport-field="url" href="/categories"><span data-rapport-field="title">Everything, picked for you</span></a></h1>
  <p data-rapport-field="body">Browse a little; the shop learns what you like, but only if you say yes.</p>
  <details class="why"><summary>Why am I seeing this?</summary><p><span data-rapport-field="reason">Shown to every visitor</span> <a href="/privacy">Your privacy choices</a></p></details>
</section>
${slot('recommended', 'Popular right now', popular.slice(0, 4), 'Popular with shoppers here this week.')}
<section aria-labelledby="shop-by"><h2 id="shop-by">Shop by category</h2>${categoryTiles()}</section>`,
  );
}

function categoryTiles(): Html {
  return html`<ul class="tiles">${CATEGORIES.map((c) => html`<li><a class="tile" href="/c/${c}">${categoryTitle(c)}</a></li>`)}</ul>`;
}

export function categoriesPage(view: View): Html {
  return layout(view, 'All categories', html`<h1>All categories</h1>${categoryTiles()}`);
}

export interface Listing {
  heading: string;
  /** The products the filters choose from (the category, or what the search found). */
  scope: readonly Product[];
  shown: readonly Product[];
  filters: Filters;
  /** The search's query, kept in the filter form. */
  query?: string;
  /** Said when nothing is shown. */
  empty: string;
}

/** A category or a search: the filter form beside the products, the order above them. */
export function listingPage(view: View, listing: Listing): Html {
  const { filters: f } = listing;
  const brands = brandsOf(listing.scope);
  const sorts = listing.query === undefined ? Object.entries(SORTS) : [['relevance', 'Best match'] as const, ...Object.entries(SORTS)];
  const checked = (on: boolean) => (on ? raw(' checked') : '');
  return layout(
    view,
    listing.heading,
    html`<h1>${listing.heading}</h1>
<div class="listing">
<form class="filters" method="get" aria-label="Filter and sort">
  ${listing.query !== undefined ? html`<input type="hidden" name="q" value="${listing.query}">` : ''}
  <div class="field"><label for="sort">Sort by</label>
    <select id="sort" name="sort">${sorts.map(([value, label]) => html`<option value="${value}"${f.sort === value ? raw(' selected') : ''}>${label}</option>`)}</select></div>
  ${brands.length > 1
    ? html`<fieldset><legend>Brand</legend>${brands.map(
        ([brand, n], i) => html`<div class="check"><input type="checkbox" id="brand-${i}" name="brand" value="${brand}"${checked(f.brands.includes(brand))}><label for="brand-${i}">${brand} <span class="n">(${n})</span></label></div>`,
      )}</fieldset>`
    : ''}
  <fieldset><legend>Price</legend>
    <div class="range"><div class="field"><label for="min">From $</label><input id="min" name="min" type="number" min="0" step="any" inputmode="decimal" value="${f.min ?? ''}"></div>
    <div class="field"><label for="max">To $</label><input id="max" name="max" type="number" min="0" step="any" inputmode="decimal" value="${f.max ?? ''}"></div></div>
  </fieldset>
  <fieldset><legend>Rating</legend>
    <div class="check"><input type="radio" id="rating-any" name="rating" value=""${checked(f.rating === undefined)}><label for="rating-any">Any</label></div>
    ${RATING_STEPS.map((r) => html`<div class="check"><input type="radio" id="rating-${r}" name="rating" value="${r}"${checked(f.rating === r)}><label for="rating-${r}">${r} stars and up</label></div>`)}
  </fieldset>
  <div class="check"><input type="checkbox" id="stock" name="stock" value="1"${checked(f.inStock)}><label for="stock">In stock only</label></div>
  <button type="submit">Apply</button>
</form>
<section class="results" aria-labelledby="results-count">
  <p id="results-count" class="count" role="status">${listing.shown.length} of ${listing.scope.length} ${listing.scope.length === 1 ? 'product' : 'products'}</p>
  ${listing.shown.length ? html`<div class="grid">${listing.shown.map((p) => card(p))}</div>` : html`<p class="empty">${listing.empty}</p>`}
</section>
</div>`,
  );
}

export function productPage(view: View, p: Product, similar: readonly Product[], together: readonly Product[]): Html {
  const inCart = view.cart.get(p.id) ?? 0;
  return layout(
    view,
    p.title,
    html`<nav class="crumb" aria-label="Breadcrumb"><a href="/">Home</a> › <a href="/c/${p.category}">${categoryTitle(p.category)}</a></nav>
<article class="product" data-rapport-product="${p.id}">
  <img src="${imageUrl(p)}" alt="Illustration of ${p.title}" width="480" height="360">
  <div>
    <h1>${p.title}</h1>
    <p class="meta">${p.brand ? html`<span class="brand-name">${p.brand}</span> · ` : ''}${stars(p.rating)}</p>
    <p class="price">${price(p.price)}</p>
    <p>${p.description}</p>
    <p class="stock">${p.stock > 0 ? (p.stock < 10 ? `Only ${p.stock} left` : 'In stock') : 'Out of stock'}</p>
    <form method="post" action="/cart" data-cart-form>
      <input type="hidden" name="item" value="${p.id}">
      <input type="hidden" name="price" value="${p.price}">
      <div class="field"><label for="qty">Quantity</label>
        <select id="qty" name="qty">${Array.from({ length: 5 }, (_, i) => html`<option>${i + 1}</option>`)}</select></div>
      <button type="submit" ${p.stock > 0 ? '' : raw('disabled')}>Add to cart</button>
      <p class="added" role="status" data-added>${inCart ? `${inCart} in your cart` : ''}</p>
    </form>
  </div>
</article>
${slot('similar', 'You may also like', similar.slice(0, 4), `More from ${categoryTitle(p.category)}, popular with shoppers here.`)}
${slot('together', 'Popular right now', together.slice(0, 4), 'Popular with shoppers here this week.')}`,
  );
}

function cartTable(lines: readonly Line[], editable: boolean): Html {
  return html`<table class="lines">
  <caption class="visually-hidden">Items in your cart</caption>
  <thead><tr><th scope="col">Product</th><th scope="col">Price</th><th scope="col">Quantity</th><th scope="col">Total</th></tr></thead>
  <tbody>${lines.map(
    ({ product: p, qty, total }) => html`<tr>
    <th scope="row"><a href="${productUrl(p)}"><img src="${imageUrl(p)}" alt="" width="64" height="48"> ${p.title}</a></th>
    <td>${price(p.price)}</td>
    <td>${editable
      ? html`<form method="post" action="/cart" class="qty" data-cart-form><input type="hidden" name="item" value="${p.id}"><input type="hidden" name="price" value="${p.price}"><input type="hidden" name="set" value="1">
        <label for="qty-${p.id}" class="visually-hidden">Quantity of ${p.title}</label>
        <select id="qty-${p.id}" name="qty" data-cart-qty>${Array.from({ length: MAX_QUANTITY + 1 }, (_, n) => html`<option${n === qty ? raw(' selected') : ''}>${n}</option>`)}</select>
        <button type="submit" class="secondary" data-update>Update</button>
        <button type="submit" class="secondary" name="qty" value="0" aria-label="Remove ${p.title}">Remove</button></form>`
      : qty}</td>
    <td>${price(total)}</td>
  </tr>`,
  )}</tbody>
  <tfoot><tr><th scope="row" colspan="3">Total</th><td>${price(cartTotal(lines))}</td></tr></tfoot>
</table>`;
}

export function cartPage(view: View, popular: readonly Product[]): Html {
  const lines = cartLines(view.cart);
  return layout(
    view,
    'Your cart',
    html`<h1>Your cart</h1>
${lines.length
  ? html`${cartTable(lines, true)}<p class="actions"><a class="button" href="/checkout">Go to checkout</a> <a href="/">Continue shopping</a></p>
${slot('complete-cart', 'Complete your cart', popular.filter((p) => !view.cart.has(p.id)).slice(0, 4), 'Popular with shoppers here this week.')}`
  : html`<p>Your cart is empty. <a href="/">Find something you like</a>.</p>
${slot('recommended', 'Popular right now', popular.slice(0, 4), 'Popular with shoppers here this week.')}`}`,
  );
}

export interface CheckoutForm {
  name: string;
  email: string;
  address: string;
}

/** The checkout form; `errors` (field → message) after a refused submission. */
export function checkoutPage(view: View, form: CheckoutForm, errors: Partial<Record<keyof CheckoutForm, string>> = {}): Html {
  const lines = cartLines(view.cart);
  const field = (name: keyof CheckoutForm, label: string, type: string, autocomplete: string) => html`<div class="field">
    <label for="${name}">${label}</label>
    <input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" required value="${form[name]}"${errors[name] ? raw(` aria-invalid="true" aria-describedby="${name}-error"`) : ''}>
    ${errors[name] ? html`<p class="error" id="${name}-error">${errors[name]}</p>` : ''}
  </div>`;
  const problems = Object.entries(errors);
  return layout(
    view,
    'Checkout',
    html`<h1>Checkout</h1>
${lines.length
  ? html`${problems.length ? html`<div class="error-summary" role="alert"><h2>Please correct ${problems.length === 1 ? 'one field' : `${problems.length} fields`}</h2><ul>${problems.map(([name, message]) => html`<li><a href="#${name}">${message}</a></li>`)}</ul></div>` : ''}
${cartTable(lines, false)}
<form method="post" action="/checkout" class="checkout" data-checkout-form novalidate>
  <p>This is a demo: nothing is charged, shipped or kept. The details you type stay in this page's request and are never sent to Rapport.</p>
  ${field('name', 'Full name', 'text', 'name')}
  ${field('email', 'Email', 'email', 'email')}
  ${field('address', 'Delivery address', 'text', 'street-address')}
  <button type="submit">Place order · ${price(cartTotal(lines))}</button>
</form>`
  : html`<p>Your cart is empty. <a href="/">Find something you like</a>.</p>`}`,
  );
}

export interface Order {
  id: string;
  lines: Line[];
  total: number;
}

/**
 * The order confirmation. `track` is true only for the response that
 * follows placing the order: the purchase is tracked once, however often the
 * page is reloaded.
 */
export function orderPage(view: View, order: Order, track: boolean): Html {
  const purchase = { items: order.lines.map((l) => l.product.id), order: order.id, value: order.total, currency: 'USD' };
  return layout(
    view,
    `Order ${order.id}`,
    html`<h1>Thank you for your order</h1>
<p>Your order number is <strong data-order-id>${order.id}</strong>. Nothing will be charged or shipped: this shop is a demo.</p>
${cartTable(order.lines, false)}
${track ? html`<script>rapport('track', 'purchase', ${raw(JSON.stringify(purchase).replace(/</g, '\\u003c'))});</script>` : ''}
<p><a href="/">Back to the shop</a></p>`,
  );
}

export function licencesPage(view: View): Html {
  return layout(
    view,
    'Licences',
    html`<h1>Licences</h1>
<p>The shop's product names, brands, categories, prices, ratings and stock come from the DummyJSON catalog by Muhammad Ovi, under the MIT licence: <a href="/licences/DummyJSON.txt">its licence notice</a>.</p>
<p>The consent banner's IAB TCF mode runs IAB Tech Lab's <code>@iabtechlabtcf/cmpapi</code> and <code>@iabtechlabtcf/core</code>, under the Apache License 2.0: <a href="/licences/iabtechlabtcf.txt">its text</a>.</p>
<p>Product descriptions and pictures are the shop's own. Rapport itself is MIT licensed.</p>`,
  );
}

export function notFoundPage(view: View): Html {
  return layout(view, 'Not found', html`<h1>Not found</h1><p>That page does not exist. <a href="/">Back to the shop</a>.</p>`);
}
