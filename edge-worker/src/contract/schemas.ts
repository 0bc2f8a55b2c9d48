/**
 * The wire contract: zod schemas for every request body the Worker accepts.
 * The SDK mirrors these by hand in `sdk/src/wire.ts` (no zod in the browser
 * bundle); `tests/contract` runs one table of payloads through both.
 */
import { z } from 'zod';

/** Pseudonymous visitor or session id: random, URL-safe, never an email or a login. */
export const opaqueId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 characters of A-Z a-z 0-9 _ -');

/** A merchant's product id (SKU or handle) as it appears in the catalog. */
export const itemId = z.string().min(1).max(64);

/** Consent purposes the Worker understands; anything else is rejected so typos surface. */
export const purpose = z.enum(['analytics', 'personalization']);

/** Every event type the SDK may send. */
export const eventType = z.enum([
  'page_view',
  'product_view',
  'click',
  'scroll',
  'search',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'purchase',
]);

const baseEvent = {
  /** Client-generated id; the Worker drops repeats, so resending after a lost ack is safe. */
  id: opaqueId,
  /** Client clock, epoch milliseconds. */
  ts: z.number().int().nonnegative(),
  /** Page path without query string or fragment (data minimization). */
  path: z.string().max(512).optional(),
};

const withItem = { ...baseEvent, item: itemId };

/** One tracked event, discriminated by `type` so each type carries exactly its fields. */
export const event = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page_view'), ...baseEvent }),
  z.strictObject({ type: z.literal('product_view'), ...withItem }),
  z.strictObject({
    type: z.literal('click'),
    ...withItem,
    decision: opaqueId.optional(),
    slot: z.string().max(64).optional(),
  }),
  z.strictObject({ type: z.literal('scroll'), ...baseEvent, depth: z.number().int().min(0).max(100) }),
  z.strictObject({ type: z.literal('search'), ...baseEvent, query: z.string().min(1).max(200) }),
  z.strictObject({
    type: z.literal('add_to_cart'),
    ...withItem,
    qty: z.number().int().positive().max(999).default(1),
  }),
  z.strictObject({
    type: z.literal('remove_from_cart'),
    ...withItem,
    qty: z.number().int().positive().max(999).default(1),
  }),
  z.strictObject({ type: z.literal('checkout'), ...baseEvent }),
  z.strictObject({ type: z.literal('purchase'), ...baseEvent, items: z.array(itemId).min(1).max(100) }),
]);

/** Most events one batch may carry; the SDK sends at most this many per request. */
export const MAX_BATCH_EVENTS = 100;

/** `POST /v1/collect`: a batch of events from one visitor. */
export const collectRequest = z.strictObject({
  v: z.literal(1),
  vid: opaqueId,
  sid: opaqueId,
  /** Purposes the shopper granted; the SDK sends nothing when there are none. */
  consent: z.array(purpose).min(1),
  events: z.array(event).min(1).max(MAX_BATCH_EVENTS),
});

/** One slot on the page asking for content. */
export const slotRequest = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slot id'),
  /** How many items the page has room for; the slot's configuration caps it. */
  max: z.number().int().min(1).max(50).optional(),
});

/** `POST /v1/decide`: every slot on the page in one request. */
export const decideRequest = z.strictObject({
  v: z.literal(1),
  /** Absent when the shopper has not consented to personalization: the answer is then non-personal. */
  vid: opaqueId.optional(),
  slots: z.array(slotRequest).min(1).max(10),
  context: z
    .strictObject({
      item: itemId.optional(),
      category: z.string().max(64).optional(),
      path: z.string().max(512).optional(),
    })
    .default({}),
});

export type TrackedEvent = z.infer<typeof event>;
export type CollectRequest = z.infer<typeof collectRequest>;
export type DecideRequest = z.infer<typeof decideRequest>;
export type SlotRequest = z.infer<typeof slotRequest>;
