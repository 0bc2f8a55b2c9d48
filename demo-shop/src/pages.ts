/**
 * The demo shop's pages, rendered on the server like any shop's. They use
 * Rapport exactly as a merchant would: the stub in <head>, the SDK by script
 * tag, slots marked with `data-rapport-slot`, events through `rapport(...)`.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { stubSnippet } from '../../sdk/src/stub';
import { CATEGORIES, categoryTitle, imageUrl, productUrl, type Product } from './catalog';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const price = (p: number) => `$${p.toFixed(2)}`;

/** The page frame: head with the stub and the SDK, navigation, consent banner. */
export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Rapport demo shop</title>
${raw(stubSnippet())}
<script async src="/sdk/rapport.min.js" data-consent="pending"></script>
<script defer src="/shop.js"></script>
<link rel="stylesheet" href="/shop.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Rapport <span>demo shop</span></a>
  <nav>${CATEGORIES.slice(0, 8).map((c) => html`<a href="/c/${c}">${categoryTitle(c)}</a>`)}<a href="/categories">All categories</a></nav>
  <a class="cart-link" href="/cart">Cart (<span data-cart-count>0</span>)</a>
</header>
<main>${body}</main>
<footer>Product names, prices and ratings from the DummyJSON catalog (MIT). Images drawn by the shop.
  <button type="button" data-privacy>Privacy choices</button></footer>
<div class="consent" data-consent-banner hidden>
  <p>May we remember what you look at to recommend products you'll like? We use a random id, keep nothing else, and forget it after 30 days.</p>
  <button type="button" data-consent-choice="all">Yes, personalize</button>
  <button type="button" data-consent-choice="none">No thanks</button>
</div>
</body>
</html>`;
}

/** A product card in a grid. */
export function card(p: Product): Html {
  return html`<article class="card">
  <a href="${productUrl(p)}" data-rapport-item="${p.id}"><img src="${imageUrl(p)}" alt="" width="240" height="180"><h3>${p.title}</h3></a>
  <p class="price">${price(p.price)}</p>
</article>`;
}

/**
 * A personalized slot. Its children are the default content (shown if no
 * decision arrives in time); the template tells the SDK how to draw an item.
 */
export function slot(id: string, heading: string, fallback: readonly Product[]): Html {
  return html`<section class="slot" data-rapport-slot="${id}">
  <h2 data-rapport-title>${heading}</h2>
  <div class="grid" data-rapport-list>
    <template><article class="card"><a data-rapport-field="url"><img data-rapport-field="image" width="240" height="180"><h3 data-rapport-field="title"></h3></a><p class="price">$<span data-rapport-field="price"></span></p><p class="why" data-rapport-field="reason"></p></article></template>
    ${fallback.map(card)}
  </div>
</section>`;
}

export function homePage(popular: readonly Product[]): Html {
  return layout(
    'Home',
    html`<section class="hero" data-rapport-slot="hero">
  <h1><a data-rapport-field="url" href="/categories"><span data-rapport-field="title">Everything, picked for you</span></a></h1>
  <p data-rapport-field="body">Browse a little; the shop learns what you like — only if you say yes.</p>
  <p class="why" data-rapport-field="reason"></p>
</section>
${slot('recommended', 'Popular right now', popular.slice(0, 4))}
<section><h2>Shop by category</h2><div class="tiles">${CATEGORIES.map((c) => html`<a class="tile" href="/c/${c}">${categoryTitle(c)}</a>`)}</div></section>`,
  );
}

export function categoriesPage(): Html {
  return layout(
    'Categories',
    html`<h1>All categories</h1><div class="tiles">${CATEGORIES.map((c) => html`<a class="tile" href="/c/${c}">${categoryTitle(c)}</a>`)}</div>`,
  );
}

export function categoryPage(category: string, products: readonly Product[]): Html {
  return layout(categoryTitle(category), html`<h1>${categoryTitle(category)}</h1><div class="grid">${products.map(card)}</div>`);
}

export function productPage(p: Product, related: readonly Product[], popular: readonly Product[]): Html {
  return layout(
    p.title,
    html`<article class="product">
  <img src="${imageUrl(p)}" alt="${p.title}" width="480" height="360">
  <div>
    <p class="crumb"><a href="/c/${p.category}">${categoryTitle(p.category)}</a></p>
    <h1>${p.title}</h1>
    <p class="price">${price(p.price)}</p>
    <p>${p.description}</p>
    <p class="stock">${p.stock > 0 ? `${p.stock} in stock` : 'Out of stock'}</p>
    <button type="button" data-add-to-cart="${p.id}" ${p.stock > 0 ? '' : 'disabled'}>Add to cart</button>
  </div>
</article>
<script>rapport('track', 'product_view', { item: ${raw(JSON.stringify(p.id))} });</script>
${slot('similar', 'You may also like', related.slice(0, 4))}
${slot('recommended', 'Popular right now', popular.filter((x) => x.id !== p.id).slice(0, 4))}`,
  );
}

export function cartPage(): Html {
  return layout(
    'Cart',
    html`<h1>Your cart</h1><div data-cart-lines><p>Your cart is empty.</p></div>
<button type="button" data-checkout hidden>Buy now</button>`,
  );
}

export function notFoundPage(): Html {
  return layout('Not found', html`<h1>Not found</h1><p>That page does not exist. <a href="/">Back to the shop</a>.</p>`);
}
