/**
 * What a shop's pages tell the SDK without code: the product a page shows
 * (`data-rapport-product`, also when a single-page app renders it later),
 * clicks on items (`data-rapport-item`, on the shop's product cards and on
 * the items slots render), how far down each page the
 * shopper scrolled (25, 50, 75 and 100 %, each once per page) and how long
 * the page was visible. Searches, cart changes, checkout and
 * purchases are the shop's to track (it knows the query, the price and the
 * order). Nothing is measured into storage, and nothing is sent without
 * consent (`track()` decides).
 */
import { track } from './rapport.js';
import { onDomChange, onRouteChange } from './spa.js';
import { pagePath } from './event.js';
import { LIMITS } from './wire.js';

/** Each product element and the product it was counted as showing: a view counts once per element, again if it shows another. */
const counted = new WeakMap<Element, string>();

/** Tracks a product view for every `[data-rapport-product]` not yet counted. */
function viewedProducts(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-rapport-product]')) {
    const item = el.dataset.rapportProduct!;
    if (counted.get(el) == item) continue;
    counted.set(el, item);
    void track('product_view', { item });
  }
}

/** Whether autocapture is on: clicks on the shop's own items count too, not only on the items slots render. */
let started = false;

/**
 * Tracks a click on an item a slot rendered, with the decision that showed
 * it, so uplift can be attributed; once autocapture is on, on the shop's own
 * items too (`data-rapport-item` on a product card). Opening an item's "why
 * this?" is not a click on it.
 * @example addEventListener('click', trackClick)
 */
export function trackClick(e: Event): void {
  const target = e.target as Element;
  const el = target.closest?.<HTMLElement>('[data-rapport-item]');
  const slot = el?.closest<HTMLElement>('[data-rapport-slot]');
  if (!el || el.contains(target.closest('details')) || !(slot || started)) return;
  const decision = slot?.dataset.rapportDecision;
  void track('click', {
    item: el.dataset.rapportItem!,
    ...(decision ? { decision, slot: slot!.dataset.rapportSlot! } : {}),
  });
}

/**
 * Starts tracking what the page tells without code (see above), once however
 * often it is called. The script tag calls it unless `data-autocapture="off"`.
 * @example
 * import { init, autocapture } from '@rapport/sdk';
 * init({ endpoint: 'https://rapport.example.com' });
 * autocapture();
 */
export function autocapture(): void {
  if (started) return;
  started = true;
  addEventListener('click', trackClick);

  // Scroll depth: the share of the page seen so far, reported at each quarter once per page.
  let reached = 0;
  addEventListener(
    'scroll',
    () => {
      const seen = ((scrollY + innerHeight) / document.documentElement.scrollHeight) * 100;
      // Within half a percent of a quarter counts (the last pixel row is often out of reach by rounding).
      while (reached < 100 && seen >= reached + 24.5) void track('scroll', { depth: (reached += 25) });
    },
    { passive: true },
  );

  // Engaged time: while the page is visible. What was spent is reported for the page it was spent on
  // when it is hidden or left (in time for the exit's beacon) and on a route change (called without an event).
  let engaged = 0;
  let since = 0;
  let page = pagePath();
  const account = (e?: Event) => {
    const now = Date.now();
    engaged += since && now - since;
    since = e?.type != 'pagehide' && document.visibilityState == 'visible' ? now : 0;
    // Under a second is a glance, not engagement: it carries over.
    if ((!since || !e) && engaged >= 1000) {
      void track('engagement', { ms: Math.min(engaged, LIMITS.engagedMsMax), path: page });
      engaged = 0;
    }
  };
  account();
  // Capturing, so that the page's exit is counted before the tracker's own listeners send the beacon.
  ['visibilitychange', 'pagehide'].forEach((type) => addEventListener(type, account, true));

  onRouteChange(() => {
    account();
    engaged = reached = 0;
    page = pagePath();
  });
  viewedProducts();
  onDomChange(viewedProducts);
}
