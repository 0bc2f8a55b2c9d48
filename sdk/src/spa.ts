/**
 * Route changes in single-page apps, as a shopper sees them: the path (or a
 * hash route) changes through `history.pushState`, `replaceState`, the back
 * and forward buttons (`popstate`) or `hashchange`, or the page comes back
 * from the back/forward cache.
 */

/** What identifies a route: the path and hash, not the query (filters, tracking parameters). */
const route = () => location.pathname + location.hash;

/**
 * Calls `changed` after every route change (a `replaceState` that keeps the
 * route, e.g. to update a query, is none).
 * @example onRouteChange(() => track('page_view'));
 */
export function onRouteChange(changed: () => void): void {
  let current = route();
  const check = (event?: Event) => {
    if (route() == current && !(event as PageTransitionEvent | undefined)?.persisted) return;
    current = route();
    changed();
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
