/**
 * The script-tag stub: paste into <head> before the SDK's <script async>.
 * It queues calls made before the SDK loads and hides only the slots (never
 * the page) for at most `waitMs`, after which their default content shows
 * whether or not the SDK arrived.
 */

/** Class the stub puts on <html> while slots may still change; the SDK removes it. */
export const WAIT_CLASS = 'rapport-wait';

/**
 * The stub's HTML for a given wait (default 1000 ms).
 * @example document.head.insertAdjacentHTML('afterbegin', stubSnippet())
 */
export function stubSnippet(waitMs = 1000): string {
  return (
    `<style>.${WAIT_CLASS} [data-rapport-slot]:not([data-rapport-state]){visibility:hidden}</style>` +
    '<script>(function(w,h){var r=w.rapport=w.rapport||function(){(r.q=r.q||[]).push(arguments)};' +
    `r.t=Date.now();r.w=${Math.round(waitMs)};h.classList.add("${WAIT_CLASS}");` +
    `setTimeout(function(){h.classList.remove("${WAIT_CLASS}")},r.w)})(window,document.documentElement)</script>`
  );
}
