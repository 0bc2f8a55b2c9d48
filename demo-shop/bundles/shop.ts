/**
 * The demo merchant's own page script: the cart, kept in the `demo_cart`
 * cookie so the server renders it (demo-shop/src/cart-cookie.ts), and the
 * events only the shop knows, sent through Rapport's public `rapport(...)`
 * function as the README tells a merchant to: searches, cart changes and
 * checkout. (Product views and clicks on items need no code: the pages mark
 * them up. The purchase is tracked by the order confirmation page.) Every
 * form also works without this script, by posting to the server.
 */
import { cartCookie, cartCount, MAX_QUANTITY, readCartCookie } from '../src/cart-cookie';
import { showCartCount } from './spa/cart';

/** Calls Rapport when its stub is on the page (the single-page section loads the npm build instead). */
function rapport(...call: unknown[]): void {
  const fn = (window as unknown as { rapport?: (...call: unknown[]) => unknown }).rapport;
  if (typeof fn === 'function') fn(...call);
}

// A cart form: add `qty` more of an item (product pages), or set its quantity (`set`; 0 removes it: the cart page).
document.addEventListener('submit', (e) => {
  const form = (e.target as Element).closest<HTMLFormElement>('[data-cart-form]');
  if (!form) return;
  e.preventDefault();
  const data = new FormData(form);
  const submitter = e.submitter as HTMLButtonElement | null;
  if (submitter?.name) data.set(submitter.name, submitter.value);
  const item = String(data.get('item'));
  const qty = Number(data.get('qty'));
  const price = Number(data.get('price'));
  const cart = readCartCookie(document.cookie);
  const before = cart.get(item) ?? 0;
  const after = Math.min(data.get('set') === '1' ? qty : before + qty, MAX_QUANTITY);
  if (after > 0) cart.set(item, after);
  else cart.delete(item);
  document.cookie = cartCookie(cart);
  showCartCount(cartCount(cart));
  if (after > before) rapport('track', 'add_to_cart', { item, qty: after - before, price, currency: 'USD' });
  if (after < before) rapport('track', 'remove_from_cart', { item, qty: before - after, price, currency: 'USD' });
  const added = form.querySelector('[data-added]');
  if (added) {
    added.textContent = `${after} in your cart. `;
    const link = document.createElement('a');
    link.href = '/cart';
    link.textContent = 'View cart';
    added.append(link);
  } else {
    // The cart page shows totals the server computes: show the changed cart.
    location.reload();
  }
});

// The cart page's quantity menus apply as soon as they change; their Update buttons are for pages without script.
document.addEventListener('change', (e) => {
  const select = (e.target as Element).closest<HTMLSelectElement>('[data-cart-qty]');
  select?.form?.requestSubmit(select.form.querySelector<HTMLButtonElement>('[data-update]'));
});
for (const button of document.querySelectorAll<HTMLElement>('[data-update]')) button.hidden = true;

// A search results page: what was searched for (the SDK sends it only with consent).
const params = new URLSearchParams(location.search);
const query = params.get('q')?.trim();
if (location.pathname === '/search' && query && !params.has('sort') && !params.has('brand')) rapport('track', 'search', { query: query.slice(0, 200) });
// Reaching the checkout, once: not again when the form comes back with a field to correct.
if (document.querySelector('[data-checkout-form]') && !document.querySelector('.error-summary')) rapport('track', 'checkout');
