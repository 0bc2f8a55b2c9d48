/**
 * The shop's cart from the gift finder: the same `demo_cart` cookie the shop's
 * server renders the cart and the checkout from (`id:qty` pairs joined by
 * `.`, read by demo-shop/src/cart.ts), with its limits, and the header's count.
 */
const COOKIE = 'demo_cart';
const MAX_QUANTITY = 10;
const MAX_LINES = 30;
const DAYS = 30;

function readCart(): Map<string, number> {
  const cart = new Map<string, number>();
  const value = document.cookie.match(/(?:^|;\s*)demo_cart=([^;]*)/)?.[1] ?? '';
  for (const pair of decodeURIComponent(value).split('.')) {
    const [id, qty] = pair.split(':');
    const n = Number(qty);
    if (id && Number.isInteger(n) && n > 0 && cart.size < MAX_LINES) cart.set(id, Math.min(n, MAX_QUANTITY));
  }
  return cart;
}

/**
 * Adds `qty` of `item` (up to the shop's most per item) and updates the
 * header's count: how many the cart now holds, and how many were added (0
 * when it was full already).
 */
export function addToCart(item: string, qty: number): { inCart: number; added: number } {
  const cart = readCart();
  const before = cart.get(item) ?? 0;
  if (!cart.has(item) && cart.size >= MAX_LINES) return { inCart: 0, added: 0 };
  const inCart = Math.min(before + qty, MAX_QUANTITY);
  cart.set(item, inCart);
  const value = [...cart].map(([id, n]) => `${id}:${n}`).join('.');
  document.cookie = `${COOKIE}=${encodeURIComponent(value)}; path=/; max-age=${DAYS * 86_400}; samesite=lax`;
  const count = [...cart.values()].reduce((sum, n) => sum + n, 0);
  for (const el of document.querySelectorAll('[data-cart-count]')) {
    el.textContent = String(count);
    el.setAttribute('aria-label', `${count} ${count === 1 ? 'item' : 'items'}`);
  }
  return { inCart, added: inCart - before };
}
