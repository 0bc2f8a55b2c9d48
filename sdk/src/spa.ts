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

/** Who is told of element changes, in the order they asked; undefined until someone asks (nothing is observed until then). */
let watchers: Array<() => void> | undefined;

/**
 * Calls `changed` after elements are added to the page or a
 * `data-rapport-product` changes (a framework rendering a route, a slot added
 * late), batched as the browser delivers the changes. One observer serves
 * everyone who asks, and a batch that only changed text (a ticking clock, a
 * counter) calls no one: each caller queries the whole document.
 * @example onDomChange(() => pendingSlots().length && fill());
 */
export function onDomChange(changed: () => void): void {
  if (watchers) return void watchers.push(changed);
  const all = (watchers = [changed]);
  new MutationObserver((records) => {
    if (records.some((r) => r.type == 'attributes' || [...r.addedNodes].some((node) => node.nodeType == 1))) all.forEach((watcher) => watcher());
  }).observe(document.documentElement, { childList: true, subtree: true, attributeFilter: ['data-rapport-product'] });
}
