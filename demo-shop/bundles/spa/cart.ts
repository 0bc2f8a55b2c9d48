/**
 * The shop's cart from the gift finder: the same `demo_cart` cookie the shop's
 * server renders the cart and the checkout from (demo-shop/src/cart-cookie.ts),
 * and the header's count.
 */
import { cartCookie, cartCount, MAX_CART_LINES, MAX_QUANTITY, readCartCookie } from '../../src/cart-cookie';

/** Shows the cart's count in the header. */
export function showCartCount(count: number): void {
  for (const el of document.querySelectorAll('[data-cart-count]')) {
    el.textContent = String(count);
    el.setAttribute('aria-label', `${count} ${count === 1 ? 'item' : 'items'}`);
  }
}

/**
 * Adds `qty` of `item` (up to the shop's most per item) and updates the
 * header's count: how many the cart now holds, and how many were added (0
 * when it was full already).
 */
export function addToCart(item: string, qty: number): { inCart: number; added: number } {
  const cart = readCartCookie(document.cookie);
  const before = cart.get(item) ?? 0;
  if (!cart.has(item) && cart.size >= MAX_CART_LINES) return { inCart: 0, added: 0 };
  const inCart = Math.min(before + qty, MAX_QUANTITY);
  cart.set(item, inCart);
  document.cookie = cartCookie(cart);
  showCartCount(cartCount(cart));
  return { inCart, added: inCart - before };
}
