/**
 * The gift finder's views: who the gift is for (/gifts), gift ideas for them
 * within a budget (/gifts/for/:who?under=…), one product with its cart button
 * (/gifts/item/:id), and not found. The product view carries
 * `data-rapport-product`, and gift ideas `data-rapport-item`, so Rapport's
 * autocapture counts product views and clicks; each view ends with the
 * personalized "recommended" slot, which the app fills once it is on screen.
 */
import { track } from '@rapport/sdk';
import { giftIdeas, popular, product, recipients, type GiftIdea, type GiftProduct, type Recipient } from './api';
import { addToCart } from './cart';
import { h, type Child } from './dom';
import { NotFound, type Route, type Screen } from './router';

const BASE = '/gifts';
/** The budgets offered, in dollars. */
const BUDGETS = [25, 50, 100] as const;

const price = (p: number) => `$${p.toFixed(2)}`;
const itemUrl = (p: { id: string }) => `${BASE}/item/${p.id}`;
const recipientUrl = (r: Recipient, under?: number) => `${BASE}/for/${r.id}${under ? `?under=${under}` : ''}`;
/** "For the cook" → "the cook", for sentences. */
const whom = (r: Recipient) => r.title.replace(/^For /, '');

const heading = (text: string) => h('h1', { tabindex: -1 }, text);

/** Stars for a rating, with the number for screen readers and anyone counting. */
function stars(rating: number): Child {
  const full = Math.round(rating);
  return [
    h('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(full) + '☆'.repeat(5 - full)),
    ' ',
    h('span', { class: 'rating-number' }, rating.toFixed(1), h('span', { class: 'visually-hidden' }, ' out of 5')),
  ];
}

const meta = (p: GiftIdea) => h('p', { class: 'meta' }, p.brand && [h('span', { class: 'brand-name' }, p.brand), ' · '], stars(p.rating));

/** A product card linking to `href`; `why` adds the "why am I seeing this?" every recommended item has. */
function card(p: GiftIdea, href: string, why?: string): HTMLElement {
  return h(
    'article',
    { class: 'card', 'data-rapport-item': p.id },
    h('a', { href }, h('img', { src: p.image, alt: '', width: 240, height: 180, loading: 'lazy' }), h('h3', {}, p.title)),
    meta(p),
    h('p', { class: 'price' }, price(p.price), p.stock > 0 ? '' : [' ', h('span', { class: 'out' }, 'Out of stock')]),
    why && whyThis(why),
  );
}

function whyThis(reason: string): HTMLElement {
  return h('details', { class: 'why' }, h('summary', {}, 'Why am I seeing this?'), h('p', {}, `${reason} `, h('a', { href: '/privacy' }, 'Your privacy choices')));
}

/** How the SDK draws a recommended item (fields it fills), the same card as the shop's slots. */
const ITEM_TEMPLATE =
  '<article class="card"><a data-rapport-field="url"><img data-rapport-field="image" width="240" height="180"><h3 data-rapport-field="title"></h3></a><p class="price">$<span data-rapport-field="price"></span></p><details class="why"><summary>Why am I seeing this?</summary><p><span data-rapport-field="reason"></span> <a data-rapport-field="privacy">Your privacy choices</a></p></details></article>';

/**
 * The personalized slot: its default content (the shop's most popular
 * products, linking to their pages in the shop, as the items Rapport picks
 * do), shown until a decision arrives and kept if none does.
 */
function recommended(defaults: readonly GiftIdea[]): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = ITEM_TEMPLATE;
  return h(
    'section',
    { class: 'slot', 'data-rapport-slot': 'recommended', 'aria-labelledby': 'slot-recommended' },
    h('h2', { id: 'slot-recommended', 'data-rapport-title': true }, 'Popular right now'),
    h('div', { class: 'grid', 'data-rapport-list': true }, template, defaults.map((p) => card(p, `/p/${p.id}`, 'Popular with shoppers here this week.'))),
  );
}

function crumbs(...trail: Child[]): HTMLElement {
  return h('nav', { class: 'crumb', 'aria-label': 'Breadcrumb' }, h('a', { href: BASE }, 'Gift finder'), trail.map((step) => [' › ', step]));
}

async function start(): Promise<Screen> {
  const [everyone, defaults] = await Promise.all([recipients(), popular()]);
  return {
    title: 'Gift finder',
    content: [
      heading('Gift finder'),
      h('p', { class: 'lede' }, 'Who is the gift for? Pick someone, then a budget.'),
      h(
        'ul',
        { class: 'recipients' },
        everyone.map((r) => h('li', {}, h('a', { class: 'recipient', href: recipientUrl(r) }, h('strong', {}, r.title), h('span', {}, r.blurb)))),
      ),
      recommended(defaults),
    ],
  };
}

async function ideasFor([who]: string[], url: URL): Promise<Screen> {
  const [everyone, defaults] = await Promise.all([recipients(), popular()]);
  const r = everyone.find((one) => one.id === who);
  if (!r) throw new NotFound(who);
  // Only the budgets offered: anything else in the address is no budget.
  const under = BUDGETS.find((b) => String(b) === url.searchParams.get('under'));
  const { products, total } = await giftIdeas(r.id, under);
  const count = `${total} gift ${total === 1 ? 'idea' : 'ideas'}${under ? ` under $${under}` : ''}`;
  const budget = (label: string, amount?: number) => h('li', {}, h('a', { href: recipientUrl(r, amount), 'aria-current': under === amount && 'true' }, label));
  return {
    title: `Gifts ${r.title.toLowerCase()}`,
    status: count,
    content: [
      crumbs(r.title),
      heading(`Gifts ${r.title.toLowerCase()}`),
      h('p', { class: 'lede' }, `${r.blurb} From ${r.categories.map((c) => c.title).join(', ')}.`),
      h('nav', { class: 'budgets', 'aria-label': 'Budget' }, h('ul', {}, budget('Any price'), BUDGETS.map((b) => budget(`Under $${b}`, b)))),
      h('p', { class: 'ideas-count' }, count),
      products.length
        ? h('div', { class: 'grid ideas' }, products.map((p) => card(p, itemUrl(p))))
        : h('p', { class: 'empty' }, `Nothing for ${whom(r)} at that price yet. `, h('a', { href: recipientUrl(r) }, 'See every price')),
      recommended(defaults),
    ],
  };
}

/** The product, with a cart button that updates the shop's cart and tells Rapport. */
async function item([id]: string[]): Promise<Screen> {
  const [p, everyone, defaults] = await Promise.all([product(id!), recipients(), popular()]);
  const r = everyone.find((one) => one.categories.some((c) => c.id === p.category));
  return {
    title: p.title,
    content: [
      crumbs(r && h('a', { href: recipientUrl(r) }, r.title)),
      h(
        'article',
        { class: 'product', 'data-rapport-product': p.id },
        h('img', { src: p.image, alt: `Illustration of ${p.title}`, width: 480, height: 360 }),
        h(
          'div',
          {},
          heading(p.title),
          meta(p),
          h('p', { class: 'price' }, price(p.price)),
          h('p', {}, p.description),
          h('p', { class: 'stock' }, p.stock > 0 ? (p.stock < 10 ? `Only ${p.stock} left` : 'In stock') : 'Out of stock'),
          cartForm(p),
          h('p', {}, h('a', { href: `/p/${p.id}` }, `${p.title} in the shop`), ` · ${p.categoryTitle}`),
        ),
      ),
      recommended(defaults),
    ],
  };
}

function cartForm(p: GiftProduct): HTMLElement {
  const qty = h('select', { id: 'qty', name: 'qty' }, [1, 2, 3, 4, 5].map((n) => h('option', {}, String(n)))) as HTMLSelectElement;
  const added = h('p', { class: 'added', role: 'status' });
  const form = h(
    'form',
    { class: 'add' },
    h('div', { class: 'field' }, h('label', { for: 'qty' }, 'Quantity'), qty),
    h('button', { type: 'submit', disabled: p.stock <= 0 }, 'Add to cart'),
    added,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const { inCart, added: more } = addToCart(p.id, Number(qty.value));
    if (more) void track('add_to_cart', { item: p.id, qty: more, price: p.price, currency: 'USD' });
    added.replaceChildren(more ? `${inCart} in your cart. ` : 'Your cart holds as many as it can. ', h('a', { href: '/cart' }, 'View cart'));
  });
  return form;
}

export const routes: readonly Route[] = [
  [/^\/gifts$/, start],
  [/^\/gifts\/for\/([a-z]+)$/, ideasFor],
  [/^\/gifts\/item\/([0-9]+)$/, item],
];

export function notFound(): Screen {
  return {
    title: 'Not found',
    content: [heading('Not found'), h('p', {}, 'The gift finder has no such page. ', h('a', { href: BASE }, 'Start again'), '.')],
  };
}

export function failed(): Screen {
  return {
    title: 'Could not load',
    content: [heading('Could not load this page'), h('p', {}, 'The gift finder could not reach the shop. Check your connection, then ', h('a', { href: location.pathname + location.search }, 'try again'), '.')],
  };
}
