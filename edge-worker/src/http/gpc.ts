/**
 * Global Privacy Control: a browser that sends `Sec-GPC: 1` objects to
 * personalization, as the SDK's default reads `navigator.globalPrivacyControl`.
 * The Worker honours it on its own, whatever consent a page claims, unless a
 * site sets `HONOUR_GPC = "off"` (wrangler.toml says when that may be right).
 */
import type { Context } from 'hono';

/** Whether this request's browser objects to personalization. */
export function objectsByBrowser(c: Context<{ Bindings: Env }>): boolean {
  return c.req.header('sec-gpc')?.trim() === '1' && c.env.HONOUR_GPC !== 'off';
}
