/**
 * One simulated shopper's visits, driven through the Worker's wire API as the
 * SDK drives it on a product page: the page's events in a collect batch (the
 * first one issues the visitor id, every later one carries it), then one
 * decide for the page's slots with the product and the session's views, a
 * viewable impression of each slot (as the SDK reports it); a
 * click on a recommended item is tracked with its decision and slot, and the
 * cart changes and purchase after it carry them too (the SDK's attribution).
 * A few batches lose their acknowledgement and are sent again, as a beacon
 * after a fetch would be: the Worker counts those events once, as duplicates
 * the second time (with personalization or only analytics: the event log
 * needs each event once too).
 */
import { randomBytes } from 'node:crypto';
import { LIMITS, type Purpose, type WireEvent } from '../../../sdk/src/wire';
import type { WorkerClient } from './client';
import { afterPage, buys, cartQuantity, cartValue, chooseClick, firstView, pagePath, type Shopper, type World } from './shoppers';

/** A slot the product page asks about, and how many items. */
export interface PageSlot {
  id: string;
  max: number;
}

/** What one or more shoppers did and what the Worker answered, summed. */
export interface Tally {
  sessions: number;
  views: number;
  /** Distinct events sent (each event id once). */
  eventsSent: number;
  /** Events sent a second time (a batch whose acknowledgement was "lost"). */
  eventsResent: number;
  accepted: number;
  duplicates: number;
  decisions: number;
  /** Recommended items shown on pages (every item of every slot answer). */
  impressions: number;
  clicks: number;
  /** Clicks on one of the page item's related items (the taste's best fit). */
  relatedClicks: number;
  cartAdds: number;
  /** Sessions that ended with something in the cart. */
  carts: number;
  orders: number;
  abandoned: number;
  /** Order value, in the currency of the orders. */
  revenue: number;
}

/** Money rounded to cents (sums of prices drift otherwise). */
const cents = (value: number) => Math.round(value * 100) / 100;

/** A tally of nothing. */
export const emptyTally = (): Tally => ({
  sessions: 0,
  views: 0,
  eventsSent: 0,
  eventsResent: 0,
  accepted: 0,
  duplicates: 0,
  decisions: 0,
  impressions: 0,
  clicks: 0,
  relatedClicks: 0,
  cartAdds: 0,
  carts: 0,
  orders: 0,
  abandoned: 0,
  revenue: 0,
});

/**
 * Adds `b` into `a`: every numeric field `a` has.
 * @example const total = shoppers.map(run).reduce(addTally, emptyTally());
 */
export function addTally(a: Tally, b: Tally): Tally {
  // Object.keys, not the type's keys: a tally that extends Tally (a browser's) adds its own fields too.
  for (const key of Object.keys(a) as Array<keyof Tally>) a[key] += b[key];
  a.revenue = cents(a.revenue);
  return a;
}

/** One shopper's outcome: counts, and the sessions the event log now holds. */
export interface Visit {
  tally: Tally;
  sessions: string[][];
}

/** The currency the simulated orders are paid in. */
export const CURRENCY = 'USD';
/** Share of batches sent a second time. */
const RESEND_SHARE = 0.03;

const randomId = () => randomBytes(12).toString('base64url');

/**
 * Runs every planned session of `shopper` against the Worker.
 * @param pageSlots the slots a product page asks about (none for a shopper without personalization)
 * @example const visit = await runVisits(client, world, shopper, [{ id: 'similar', max: 4 }]);
 */
export async function runVisits(client: WorkerClient, world: World, shopper: Shopper, pageSlots: readonly PageSlot[]): Promise<Visit> {
  const tally = emptyTally();
  const sessions: string[][] = [];
  const who = `shopper-${shopper.index}`;
  const consent: Purpose[] = shopper.personalization ? ['analytics', 'personalization'] : ['analytics'];
  let vid: string | undefined;

  const send = async (sid: string, events: WireEvent[]) => {
    if (!events.length) return;
    const resend = vid !== undefined && shopper.network() < RESEND_SHARE;
    const body = { v: 1 as const, sid, consent, events: events.splice(0) };
    for (let copy = resend ? 2 : 1; copy > 0; copy--) {
      const answer = await client.collect(vid ? { ...body, vid } : body, who);
      vid = answer.vid;
      tally.accepted += answer.accepted;
      tally.duplicates += answer.duplicates;
    }
    tally.eventsSent += body.events.length;
    if (resend) tally.eventsResent += body.events.length;
  };

  for (const length of shopper.sessionLengths) {
    const sid = randomId();
    const views: string[] = [];
    const cart = new Map<string, number>();
    const pending: WireEvent[] = [];
    const event = (ev: Omit<WireEvent, 'id' | 'ts'> & Partial<WireEvent>) => pending.push({ id: randomId(), ts: Date.now(), ...ev } as WireEvent);
    // The SDK's attribution: after a click on a slot item, this session's cart changes and purchase carry its decision.
    let attribution: { decision: string; slot: string } | {} = {};
    let item = firstView(world, shopper, shopper.random);
    tally.sessions++;
    for (;;) {
      const product = world.byId.get(item)!;
      const path = pagePath(product);
      views.push(item);
      event({ type: 'page_view', path });
      event({ type: 'product_view', item, path });
      await send(sid, pending);

      let clicked: string | undefined;
      if (shopper.personalization && pageSlots.length) {
        const decision = await client.decide(
          { v: 1, ...(vid ? { vid } : {}), consent, slots: [...pageSlots], context: { item, path, recent: views.slice(-LIMITS.recentItems) } },
          who,
        );
        const shown = Object.entries(decision.slots).flatMap(([slot, answer]) => answer.items.map((it) => ({ slot, id: it.id })));
        // The SDK reports each filled slot once it has been in view for a second: so do these shoppers.
        for (const slot of Object.keys(decision.slots)) event({ type: 'impression', decision: decision.decisionId, slot, path });
        tally.decisions++;
        tally.impressions += shown.length;
        clicked = chooseClick(world, shopper, item, shown.map((s) => s.id), shopper.random);
        if (clicked) {
          const slot = shown.find((s) => s.id === clicked)!.slot;
          attribution = { decision: decision.decisionId, slot };
          event({ type: 'click', item: clicked, decision: decision.decisionId, slot, path });
          tally.clicks++;
          if (world.related.get(item)!.includes(clicked)) tally.relatedClicks++;
        }
      }
      const qty = cartQuantity(world, shopper, item, shopper.random);
      if (qty) {
        cart.set(item, (cart.get(item) ?? 0) + qty);
        event({ type: 'add_to_cart', item, qty, price: product.price, currency: CURRENCY, path, ...attribution });
        tally.cartAdds++;
      }
      const next = afterPage(world, shopper, item, clicked, views.length, length);
      if (next === undefined) break;
      item = next;
    }
    tally.views += views.length;
    sessions.push(views);
    if (cart.size) {
      tally.carts++;
      if (buys(shopper.random)) {
        const value = cartValue(world, cart);
        event({ type: 'checkout', path: '/cart' });
        event({ type: 'purchase', items: [...cart.keys()], order: randomId(), value, currency: CURRENCY, path: '/cart', ...attribution });
        tally.orders++;
        tally.revenue = cents(tally.revenue + value);
      } else {
        tally.abandoned++;
      }
    }
    await send(sid, pending);
  }
  return { tally, sessions };
}
