/**
 * What every page of the demo shop renders from the request besides its own
 * content: which consent banner runs (the shop's own, or the same banner
 * playing an IAB TCF CMP; the `demo_cmp` cookie the banner's switch sets),
 * the cart (the `demo_cart` cookie, kept by the shop's script), and where the
 * page is (for the navigation's current link).
 */
import type { Context } from 'hono';
import type { HtmlEscapedString } from 'hono/utils/html';
import { getCookie } from 'hono/cookie';
import { readCart, type Cart } from './cart';

/** What a page or a part of one renders to. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Which banner asks for consent: the shop's own (Rapport's plain API) or an IAB TCF v2.2 CMP. */
export type Cmp = 'shop' | 'tcf';

/** The cookie the banner's switch sets to `tcf` to run the banner as an IAB TCF CMP. */
export const CMP_COOKIE = 'demo_cmp';

export interface View {
  cmp: Cmp;
  cart: Cart;
  path: string;
  /** A search's query, kept in the header's search box. */
  query?: string;
}

export function viewOf(c: Context): View {
  return { cmp: getCookie(c, CMP_COOKIE) === 'tcf' ? 'tcf' : 'shop', cart: readCart(getCookie(c, 'demo_cart')), path: new URL(c.req.url).pathname };
}
