/**
 * The shopper's cart: item id → quantity, kept in the `demo_cart` cookie by
 * the shop's script (public/shop.js) so that the server renders the cart,
 * the checkout and the order from it. A functional cookie: it identifies no
 * one, and is kept with or without consent, like any shop's cart.
 */
import { PRODUCTS_BY_ID, type Product } from './catalog';

export const CART_COOKIE = 'demo_cart';
/** More distinct items than a demo cart needs; a cookie stays far below 4 KB. */
export const MAX_CART_LINES = 30;
export const MAX_QUANTITY = 10;

export type Cart = ReadonlyMap<string, number>;

export interface Line {
  product: Product;
  qty: number;
  total: number;
}

/** The cart in a cookie's value (`id:qty` pairs joined by `.`); anything unreadable or unknown is left out. */
export function readCart(cookie: string | undefined): Cart {
  const cart = new Map<string, number>();
  for (const pair of (cookie ?? '').split('.')) {
    const [id, qty] = pair.split(':');
    const n = Number(qty);
    if (id && PRODUCTS_BY_ID.has(id) && Number.isInteger(n) && n > 0 && cart.size < MAX_CART_LINES) cart.set(id, Math.min(n, MAX_QUANTITY));
  }
  return cart;
}

/** The cookie value for a cart (the inverse of {@link readCart}). */
export function writeCart(cart: Cart): string {
  return [...cart].map(([id, qty]) => `${id}:${qty}`).join('.');
}

export function cartLines(cart: Cart): Line[] {
  return [...cart].map(([id, qty]) => {
    const product = PRODUCTS_BY_ID.get(id)!;
    return { product, qty, total: Math.round(product.price * qty * 100) / 100 };
  });
}

export const cartCount = (cart: Cart) => [...cart.values()].reduce((n, q) => n + q, 0);
export const cartTotal = (lines: readonly Line[]) => Math.round(lines.reduce((sum, l) => sum + l.total, 0) * 100) / 100;
