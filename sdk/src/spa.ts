/**
 * How a page changes under the SDK: route changes in single-page apps, as a
 * shopper sees them (the path, or a hash route, changes through
 * `history.pushState`, `replaceState`, the back and forward buttons
 * (`popstate`) or `hashchange`, or the page comes back from the back/forward
 * cache), and elements added or changed (a route rendered, a slot added late).
 */

/** What identifies a route: the path and hash, not the query (filters, tracking parameters). */
const route = () => location.pathname + location.hash;

/** Who is told of route changes, in the order they asked; undefined until someone asks (history is left alone until then). */
let listeners: Array<() => void> | undefined;

/**
 * Calls `changed` after every route change (a `replaceState` that keeps the
 * route, e.g. to update a query, is none). History is watched once, however
 * many ask.
 * @example onRouteChange(() => track('page_view'));
 */
export function onRouteChange(changed: () => void): void {
  if (listeners) return void listeners.push(changed);
  const all = (listeners = [changed]);
  let current = route();
  const check = (event?: Event) => {
    if (route() == current && !(event as PageTransitionEvent | undefined)?.persisted) return;
    current = route();
    // Each on its own: one failing must neither skip the others nor reach the app's own pushState call.
    all.forEach((listener) => {
      try {
        listener();
      } catch {
        // the SDK never breaks the page
      }
    });
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      original(...args);
      check();
    };
  }
  ['popstate', 'hashchange', 'pageshow'].forEach((type) => addEventListener(type, check));
}

/**
 * Calls `changed` after the page's elements change (a framework rendering a
 * route, a slot added late), batched as the browser delivers the changes.
 * @example onDomChange(() => pendingSlots().length && fill());
 */
export function onDomChange(changed: () => void): void {
  new MutationObserver(changed).observe(document.documentElement, { childList: true, subtree: true, attributeFilter: ['data-rapport-product'] });
}
