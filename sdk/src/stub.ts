/**
 * The script-tag stub: paste into <head> before the SDK's <script async>.
 * It queues calls made before the SDK loads and hides only the slots (never
 * the page) for at most `waitMs`, after which their default content shows
 * whether or not the SDK arrived.
 */

/** Class the stub puts on <html> while slots may still change; the SDK removes it. */
export const WAIT_CLASS = 'rapport-wait';

/** Options for {@link stubSnippet}. */
export interface StubOptions {
  /** How long slots may wait for the SDK and its decision, in ms. Default 1000. */
  waitMs?: number;
  /**
   * The page's Content-Security-Policy nonce (`script-src 'nonce-…'; style-src 'nonce-…'`),
   * put on the stub's <script> and <style>: a fresh random value per response, in base64
   * or base64url as CSP defines it. Without one, a page with such a policy blocks the stub.
   */
  nonce?: string;
}

/**
 * The stub's HTML, for server-side rendering into <head>: `stubSnippet()`,
 * `stubSnippet(waitMs)` or `stubSnippet({ waitMs, nonce })`. Throws a
 * TypeError for a nonce CSP would not accept (it is also what keeps the
 * attribute from breaking out of its quotes).
 * @example document.head.insertAdjacentHTML('afterbegin', stubSnippet())
 * @example `<head>${stubSnippet({ nonce: res.locals.cspNonce })}…` // with Content-Security-Policy: script-src 'nonce-…'
 */
export function stubSnippet(options: number | StubOptions = {}): string {
  const { waitMs = 1000, nonce } = typeof options === 'number' ? { waitMs: options } : options;
  // CSP's nonce-source: 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" ). Nothing else may reach the attribute.
  if (nonce !== undefined && !/^[\w+/-]+={0,2}$/.test(nonce)) {
    throw new TypeError(`stubSnippet: nonce must be base64, got ${JSON.stringify(nonce)}`);
  }
  const attr = nonce ? ` nonce="${nonce}"` : '';
  return (
    `<style${attr}>.${WAIT_CLASS} [data-rapport-slot]:not([data-rapport-state]){visibility:hidden}</style>` +
    `<script${attr}>(function(w,h){var r=w.rapport=w.rapport||function(){(r.q=r.q||[]).push(arguments)};` +
    `r.t=Date.now();r.w=${Math.round(waitMs)};h.classList.add("${WAIT_CLASS}");` +
    `setTimeout(function(){h.classList.remove("${WAIT_CLASS}")},r.w)})(window,document.documentElement)</script>`
  );
}
