/**
 * The `demo_cart` cookie, one format for everything that reads or writes it:
 * the shop's server (cart.ts), its page script (bundles/shop.ts) and the gift
 * finder (bundles/spa/cart.ts). `id:qty` pairs joined by `.`, at most
 * {@link MAX_CART_LINES} lines of at most {@link MAX_QUANTITY} each. It knows
 * no catalog, so the browser bundles stay small: the server leaves out ids it
 * does not sell.
 */
export const CART_COOKIE = 'demo_cart';
/** More distinct items than a demo cart needs; a cookie stays far below 4 KB. */
export const MAX_CART_LINES = 30;
export const MAX_QUANTITY = 10;
/** How long a cart is kept. */
export const CART_DAYS = 30;

/** Item id → quantity. */
export type Cart = ReadonlyMap<string, number>;

/**
 * The cart in a cookie's (decoded) value; pairs that are unreadable, past the
 * line limit or not `sold` are left out, quantities capped.
 * @example parseCart('1:2.6:12') // Map { '1' => 2, '6' => 10 }
 */
export function parseCart(value: string | undefined, sold: (id: string) => boolean = () => true): Map<string, number> {
  const cart = new Map<string, number>();
  for (const pair of (value ?? '').split('.')) {
    const [id, qty] = pair.split(':');
    const n = Number(qty);
    if (id && sold(id) && Number.isInteger(n) && n > 0 && cart.size < MAX_CART_LINES) cart.set(id, Math.min(n, MAX_QUANTITY));
  }
  return cart;
}

/** The cookie value for a cart (the inverse of {@link parseCart}). */
export function formatCart(cart: Cart): string {
  return [...cart].map(([id, qty]) => `${id}:${qty}`).join('.');
}

/** How many items a cart holds. */
export const cartCount = (cart: Cart) => [...cart.values()].reduce((n, q) => n + q, 0);

/** The cart a page's `document.cookie` holds. */
export function readCartCookie(documentCookie: string): Map<string, number> {
  const value = new RegExp(`(?:^|;\\s*)${CART_COOKIE}=([^;]*)`).exec(documentCookie)?.[1];
  return parseCart(value === undefined ? undefined : decodeURIComponent(value));
}

/** What a page assigns to `document.cookie` to keep `cart`, as the server sets it. */
export function cartCookie(cart: Cart): string {
  return `${CART_COOKIE}=${encodeURIComponent(formatCart(cart))}; path=/; max-age=${CART_DAYS * 86_400}; samesite=lax`;
}
