/**
 * The shopper's cart: item id → quantity, kept in the `demo_cart` cookie
 * (cart-cookie.ts) by the shop's script (bundles/shop.ts) so that the server renders the cart,
 * the checkout and the order from it. A functional cookie: it identifies no
 * one, and is kept with or without consent, like any shop's cart.
 */
import { PRODUCTS_BY_ID, type Product } from './catalog';
import { parseCart, type Cart } from './cart-cookie';

export { CART_COOKIE, CART_DAYS, cartCount, formatCart, MAX_CART_LINES, MAX_QUANTITY, type Cart } from './cart-cookie';

export interface Line {
  product: Product;
  qty: number;
  total: number;
}

/** The cart in a cookie's value (cart-cookie.ts); anything unreadable or not in the catalog is left out. */
export function readCart(cookie: string | undefined): Cart {
  return parseCart(cookie, (id) => PRODUCTS_BY_ID.has(id));
}

export function cartLines(cart: Cart): Line[] {
  return [...cart].map(([id, qty]) => {
    const product = PRODUCTS_BY_ID.get(id)!;
    return { product, qty, total: Math.round(product.price * qty * 100) / 100 };
  });
}

export const cartTotal = (lines: readonly Line[]) => Math.round(lines.reduce((sum, l) => sum + l.total, 0) * 100) / 100;
