/**
 * zod schemas for every request body the Worker accepts, built from the
 * contract's owner, `sdk/src/wire.ts`: its `LIMITS` give every bound here, and
 * `tests/contract` checks that these schemas and the SDK's types agree and
 * that one table of cases gets the same verdict from zod and from the SDK.
 */
import * as z from 'zod';
import { LIMITS, PATTERNS } from '../../../sdk/src/wire';

/** Pseudonymous visitor, session, event or decision id: random, URL-safe, never an email or a login. */
export const opaqueId = z.string().regex(PATTERNS.id, 'must be 8-64 characters of A-Z a-z 0-9 _ -');

/**
 * A visitor id as a client presents it. Its shape and signature are checked by
 * `identity/visitor-id.ts`, so that any id that is not the Worker's own (an
 * older SDK's, a forged one) gets the same answer: 401 on collect, a new
 * visitor on decide.
 */
export const presentedVisitorId = z.string().min(1).max(128);

/** A merchant's product id (SKU or handle) as it appears in the catalog. */
export const itemId = z.string().min(1).max(LIMITS.itemIdLength);

/** A slot id, as in `data-rapport-slot`: lowercase. */
const slotId = z.string().regex(PATTERNS.slotId, 'must be a lowercase slot id');

/** Consent purposes the Worker understands; anything else is rejected so typos surface. */
export const purpose = z.enum(['analytics', 'personalization']);

/** Page path without query string or fragment (data minimization). */
const path = z.string().max(LIMITS.pathLength);

const baseEvent = {
  /** Client-generated id; the Worker drops repeats, so resending after a lost ack is safe. */
  id: opaqueId,
  /** Client clock, epoch milliseconds. */
  ts: z.number().int().nonnegative(),
  path: path.optional(),
};

const withItem = { ...baseEvent, item: itemId };
const qty = z.number().int().positive().max(LIMITS.qtyMax).default(1);
/** The decision that showed what led to the event (see the SDK's `Attribution`). */
const attribution = { decision: opaqueId.optional(), slot: z.string().max(LIMITS.slotLength).optional() };
const money = z.number().nonnegative().max(LIMITS.moneyMax);
const currency = z.string().regex(PATTERNS.currency, 'must be an ISO 4217 code such as EUR');
const cartChange = { ...withItem, qty, price: money.optional(), currency: currency.optional(), ...attribution };

/** One tracked event, discriminated by `type` so each type carries exactly its fields. */
export const event = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page_view'), ...baseEvent }),
  z.strictObject({ type: z.literal('product_view'), ...withItem }),
  z.strictObject({ type: z.literal('click'), ...withItem, ...attribution }),
  z.strictObject({ type: z.literal('scroll'), ...baseEvent, depth: z.number().int().min(0).max(LIMITS.scrollDepthMax) }),
  z.strictObject({ type: z.literal('engagement'), ...baseEvent, ms: z.number().int().min(1).max(LIMITS.engagedMsMax) }),
  z.strictObject({ type: z.literal('search'), ...baseEvent, query: z.string().min(1).max(LIMITS.queryLength) }),
  z.strictObject({ type: z.literal('add_to_cart'), ...cartChange }),
  z.strictObject({ type: z.literal('remove_from_cart'), ...cartChange }),
  z.strictObject({ type: z.literal('checkout'), ...baseEvent }),
  z.strictObject({
    type: z.literal('purchase'),
    ...baseEvent,
    items: z.array(itemId).min(1).max(LIMITS.purchaseItems),
    order: z.string().min(1).max(LIMITS.orderIdLength).optional(),
    value: money.optional(),
    currency: currency.optional(),
    ...attribution,
  }),
  /** A viewable impression: the slot the SDK filled and the decision it showed. */
  z.strictObject({ type: z.literal('impression'), ...baseEvent, decision: opaqueId, slot: slotId }),
]);

/** `POST /v1/collect`: a batch of events from one visitor. */
export const collectRequest = z.strictObject({
  v: z.literal(1),
  /** Absent on a visitor's first batch: the answer carries the id the Worker issues. */
  vid: presentedVisitorId.optional(),
  sid: opaqueId,
  /** Purposes the shopper granted; the SDK sends nothing when there are none. */
  consent: z.array(purpose).min(1),
  events: z.array(event).min(1).max(LIMITS.batchEvents),
});

/** One slot on the page asking for content. */
export const slotRequest = z.strictObject({
  id: slotId,
  /** How many items the page has room for; the slot's configuration caps it. */
  max: z.number().int().min(1).max(LIMITS.slotMax).optional(),
});

/** `POST /v1/decide`: every slot on the page in one request. */
export const decideRequest = z.strictObject({
  v: z.literal(1),
  vid: presentedVisitorId.optional(),
  /** Without `personalization` the answer is non-personal: no profile is read and `recent` is ignored. */
  consent: z.array(purpose).max(2).default([]),
  slots: z.array(slotRequest).min(1).max(LIMITS.slotsPerDecide),
  context: z
    .strictObject({
      item: itemId.optional(),
      category: z.string().max(LIMITS.categoryLength).optional(),
      path: path.optional(),
      /** The session's viewed items, most recent last: views the stored profile may not have caught up with. */
      recent: z.array(itemId).max(LIMITS.recentItems).optional(),
    })
    .default({}),
});

export type TrackedEvent = z.infer<typeof event>;
export type CollectRequest = z.infer<typeof collectRequest>;
export type DecideRequest = z.infer<typeof decideRequest>;
export type SlotRequest = z.infer<typeof slotRequest>;

/** A request of each kind a shopper's page sends, every event type among them: what {@link warmRequestSchemas} parses. */
const WARM_ID = 'warm-up-0';
export const WARM_REQUESTS: ReadonlyArray<[z.ZodType, unknown]> = [
  [
    decideRequest,
    {
      v: 1,
      vid: WARM_ID,
      consent: ['analytics', 'personalization'],
      slots: [{ id: 'recommended', max: 4 }],
      context: { item: WARM_ID, category: WARM_ID, path: '/', recent: [WARM_ID] },
    },
  ],
  [
    collectRequest,
    {
      v: 1,
      vid: WARM_ID,
      sid: WARM_ID,
      consent: ['analytics', 'personalization'],
      events: [
        { type: 'page_view', id: WARM_ID, ts: 0, path: '/' },
        { type: 'product_view', id: WARM_ID, ts: 0, item: WARM_ID },
        { type: 'click', id: WARM_ID, ts: 0, item: WARM_ID, decision: WARM_ID, slot: 'recommended' },
        { type: 'scroll', id: WARM_ID, ts: 0, depth: 25 },
        { type: 'engagement', id: WARM_ID, ts: 0, ms: 1000 },
        { type: 'search', id: WARM_ID, ts: 0, query: 'warm' },
        { type: 'add_to_cart', id: WARM_ID, ts: 0, item: WARM_ID, qty: 1, price: 1, currency: 'EUR' },
        { type: 'remove_from_cart', id: WARM_ID, ts: 0, item: WARM_ID },
        { type: 'checkout', id: WARM_ID, ts: 0 },
        { type: 'purchase', id: WARM_ID, ts: 0, items: [WARM_ID], order: WARM_ID, value: 1, currency: 'EUR' },
        { type: 'impression', id: WARM_ID, ts: 0, decision: WARM_ID, slot: 'recommended' },
      ],
    },
  ],
];

/**
 * Parses a request of each kind a page sends, so zod builds its parsers and V8 compiles them when
 * the isolate starts (on Cloudflare, while the TLS handshake that woke it completes), not in its
 * first request: in Node a first `decideRequest` parse took 12–15 ms and the next 0.3. Returns
 * whether each parsed (a unit test keeps them valid, so the path warmed is the one requests take).
 */
export function warmRequestSchemas(): boolean[] {
  return WARM_REQUESTS.map(([schema, request]) => schema.safeParse(request).success);
}
