/**
 * One wire contract, checked from both sides. Its owner is `sdk/src/wire.ts`
 * (types and `LIMITS`); the Worker's zod schemas are built from those limits.
 *   - One table of events (`cases.ts`) gets the same verdict from the Worker's
 *     schemas and from the SDK's validator, the one `track()` runs.
 *   - Types agree: what the SDK can build, the Worker accepts, and what the
 *     Worker accepts, the SDK can express (`npm run typecheck` fails if not).
 *   - Bodies the SDK's types allow but the Worker refuses are bounds that zod
 *     checks at run time; invalid bodies fail both zod and, through
 *     @ts-expect-error, the SDK's types.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { collectRequest, decideRequest, event, WARM_REQUESTS, warmRequestSchemas } from '../../edge-worker/src/contract/schemas';
import { invalidField } from '../../sdk/src/event';
import { LIMITS, PATTERNS, type CollectBody, type DecideBody, type WireEvent } from '../../sdk/src/wire';
import { EVENT_CASES, TS as ts } from './cases';

// Type-level agreement.
type Assert<T extends true> = T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type CollectAgrees = Assert<[CollectBody] extends [z.input<typeof collectRequest>] ? true : false>;
export type CollectOutputFits = Assert<[z.output<typeof collectRequest>] extends [CollectBody] ? true : false>;
export type EventAgrees = Assert<[WireEvent] extends [z.input<typeof event>] ? true : false>;
export type EventOutputFits = Assert<[z.output<typeof event>] extends [WireEvent] ? true : false>;
export type DecideAgrees = Assert<[DecideBody] extends [z.input<typeof decideRequest>] ? true : false>;
export type EventsAgree = Assert<Mutual<WireEvent['type'], z.input<typeof event>['type']>>;

/** What the Worker sees: the JSON the SDK sends, parsed. */
const onTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
/** An id in the shape the Worker issues (`PATTERNS.visitorId`); whether its signature holds is the Worker's to say. */
const ISSUED = 'k1.t3c9qo.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const base = { v: 1 as const, vid: ISSUED, sid: 'session-0001' };
const batchOf = (events: unknown[]) => ({ ...base, consent: ['analytics'], events });

describe('one table of events, both sides', () => {
  it.each(EVENT_CASES.map((c) => [c.name, c] as const))('%s', (_, { event: ev, valid }) => {
    const parsed = event.safeParse(onTheWire(ev));
    const worker = parsed.success;
    const inBatch = collectRequest.safeParse(onTheWire(batchOf([ev]))).success;
    const sdk = invalidField(ev);
    expect({ worker, inBatch, sdk: sdk === undefined }).toEqual({ worker: valid, inBatch: valid, sdk: valid });
    // Both sides blame the same field.
    if (sdk) expect(parsed.error!.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [String(i.path[0])]))).toContain(sdk);
  });
});

const validCollect: Record<string, CollectBody> = {
  'a first batch, before the Worker issued a visitor id': { v: 1, sid: 'session-0001', consent: ['analytics'], events: [{ id: 'event-0001', type: 'page_view', ts }] },
  'one page view': { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'page_view', ts, path: '/' }] },
  'the most events': batchOf(Array.from({ length: LIMITS.batchEvents }, (_, i) => ({ id: `event-${1000 + i}`, type: 'page_view', ts }))) as CollectBody,
};

const validDecide: Record<string, DecideBody> = {
  'anonymous, one slot': { v: 1, slots: [{ id: 'recommended' }], context: {} },
  'known visitor, two slots on a product page': {
    v: 1,
    vid: ISSUED,
    slots: [{ id: 'similar', max: 4 }, { id: 'recommended' }],
    context: { item: 'sku-1', path: '/p/sku-1' },
  },
  'the most slots, each as large as allowed': {
    v: 1,
    slots: Array.from({ length: LIMITS.slotsPerDecide }, (_, i) => ({ id: `slot-${i}`, max: LIMITS.slotMax })),
    context: { category: 'x'.repeat(LIMITS.categoryLength) },
  },
};

// @ts-expect-error product_view needs an item
const viewWithoutItem: CollectBody = { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'product_view', ts }] };
// @ts-expect-error unknown event type
const unknownType: CollectBody = { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'teleport', ts }] };
// @ts-expect-error unknown consent purpose
const unknownPurpose: CollectBody = { ...base, consent: ['marketing'], events: [{ id: 'event-0001', type: 'page_view', ts }] };
// @ts-expect-error purchase items must be a list
const purchaseOfOne: CollectBody = { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'purchase', ts, items: 'sku-1' }] };
// @ts-expect-error wrong protocol version
const wrongVersion: DecideBody = { v: 2, slots: [{ id: 'recommended' }], context: {} };
// @ts-expect-error slot max must be a number
const maxAsText: DecideBody = { v: 1, slots: [{ id: 'recommended', max: '4' }], context: {} };

const invalidCollect = { viewWithoutItem, unknownType, unknownPurpose, purchaseOfOne };
const invalidDecide = { wrongVersion, maxAsText };

const page = [{ id: 'event-0001', type: 'page_view', ts }];
// Bodies both type systems allow but the Worker refuses: bounds zod checks at run time.
const refusedAtRunTime: Record<string, [typeof collectRequest | typeof decideRequest, unknown]> = {
  'no events': [collectRequest, batchOf([])],
  'no consent': [collectRequest, { ...base, consent: [], events: page }],
  'an empty visitor id': [collectRequest, { ...batchOf(page), vid: '' }],
  'one event too many': [collectRequest, batchOf(Array.from({ length: LIMITS.batchEvents + 1 }, (_, i) => ({ id: `event-${1000 + i}`, type: 'page_view', ts })))],
  'no slots': [decideRequest, { v: 1, slots: [], context: {} }],
  'one slot too many': [decideRequest, { v: 1, slots: Array.from({ length: LIMITS.slotsPerDecide + 1 }, (_, i) => ({ id: `slot-${i}` })), context: {} }],
  'a slot asking for too many items': [decideRequest, { v: 1, slots: [{ id: 'recommended', max: LIMITS.slotMax + 1 }], context: {} }],
  'uppercase slot id': [decideRequest, { v: 1, slots: [{ id: 'Recommended' }], context: {} }],
  'a category too long': [decideRequest, { v: 1, slots: [{ id: 'recommended' }], context: { category: 'x'.repeat(LIMITS.categoryLength + 1) } }],
};

describe('request bodies', () => {
  it.each(Object.entries(validCollect))('collect accepts %s', (_, body) => {
    expect(collectRequest.safeParse(onTheWire(body)).success).toBe(true);
  });
  it.each(Object.entries(validDecide))('decide accepts %s', (_, body) => {
    expect(decideRequest.safeParse(onTheWire(body)).success).toBe(true);
  });
  it.each(Object.entries(invalidCollect))('collect rejects %s', (_, body) => {
    expect(collectRequest.safeParse(onTheWire(body)).success).toBe(false);
  });
  it.each(Object.entries(invalidDecide))('decide rejects %s', (_, body) => {
    expect(decideRequest.safeParse(onTheWire(body)).success).toBe(false);
  });
  it.each(Object.entries(refusedAtRunTime))('rejects %s', (_, [schema, body]) => {
    expect(schema.safeParse(onTheWire(body)).success).toBe(false);
  });
});

describe('the requests the Worker parses when an isolate starts', () => {
  it('are valid, one of each kind with every event type, so the path warmed is the one requests take', () => {
    expect(warmRequestSchemas()).toEqual([true, true]);
    expect(WARM_REQUESTS.map(([schema]) => schema)).toEqual([decideRequest, collectRequest]);
    const warmed = (WARM_REQUESTS[1]![1] as { events: Array<{ type: string }> }).events.map((e) => e.type);
    expect(warmed.sort()).toEqual(event.options.map((option) => option.shape.type.value).sort());
  });
});

describe('visitor ids', () => {
  // Ids the Worker really issues match PATTERNS.visitorId: tests/browser/sdk-identity.test.ts.
  it('an id in the issued shape passes the schemas', () => {
    expect(ISSUED).toMatch(PATTERNS.visitorId);
    expect(collectRequest.safeParse(onTheWire({ ...batchOf(page), vid: ISSUED })).success).toBe(true);
  });

  // The SDK recovers from a 401 (it sends the batch again without the id) but drops an event the
  // Worker answers 400 for: an id the Worker did not issue must pass the schema so that it is
  // refused as an identity (401), never as a bad body (400).
  it.each([
    ['an id an older SDK made (32 hex digits)', '9f1c04e2b7a35d6e80c2f4a19b3d7e05'],
    ['an id an older SDK made (22 characters)', 'Qm9vdGxlZ2dlZC12aXNpdG'],
    ['a made-up id with spaces', 'not a valid id'],
  ])('%s is not an issued id, yet the schemas let it through to be refused as one', (_, vid) => {
    expect(vid).not.toMatch(PATTERNS.visitorId);
    expect(collectRequest.safeParse(onTheWire({ ...batchOf(page), vid })).success).toBe(true);
    expect(decideRequest.safeParse(onTheWire({ ...validDecide['anonymous, one slot'], vid })).success).toBe(true);
  });
});
