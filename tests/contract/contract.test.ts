/**
 * One wire contract, checked from both sides: the Worker's zod schemas (the
 * owner) and the SDK's hand-written types. Every valid case below is typed
 * with the SDK's types and must pass zod; every invalid case must fail zod
 * and, via @ts-expect-error, fail the SDK's types too (`npm run typecheck`
 * fails if the SDK would accept it).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { collectRequest, decideRequest } from '../../edge-worker/src/contract/schemas';
import type { DecideResponse } from '../../edge-worker/src/contract/responses';
import type { CollectBody, DecideBody, Decision, WireEvent } from '../../sdk/src/wire';

// Type-level agreement: what the SDK can build, the Worker accepts, and what the Worker accepts, the SDK can express.
type Assert<T extends true> = T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type CollectAgrees = Assert<[CollectBody] extends [z.input<typeof collectRequest>] ? true : false>;
export type CollectOutputFits = Assert<[z.output<typeof collectRequest>] extends [CollectBody] ? true : false>;
export type DecideAgrees = Assert<[DecideBody] extends [z.input<typeof decideRequest>] ? true : false>;
export type DecisionAgrees = Assert<Mutual<DecideResponse, Decision>>;
export type EventsAgree = Assert<Mutual<WireEvent['type'], z.input<typeof collectRequest>['events'][number]['type']>>;

const ts = 1_764_000_000_000;
const base = { v: 1 as const, vid: 'visitor-0001', sid: 'session-0001' };

const validCollect: Record<string, CollectBody> = {
  'one page view': { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'page_view', ts, path: '/' }] },
  'every event type': {
    ...base,
    consent: ['analytics', 'personalization'],
    events: [
      { id: 'event-0001', type: 'product_view', ts, item: 'sku-1' },
      { id: 'event-0002', type: 'click', ts, item: 'sku-2', decision: 'decision-01', slot: 'recommended' },
      { id: 'event-0003', type: 'scroll', ts, depth: 75 },
      { id: 'event-0004', type: 'search', ts, query: 'red shoes' },
      { id: 'event-0005', type: 'add_to_cart', ts, item: 'sku-1', qty: 2 },
      { id: 'event-0006', type: 'remove_from_cart', ts, item: 'sku-1' },
      { id: 'event-0007', type: 'checkout', ts },
      { id: 'event-0008', type: 'purchase', ts, items: ['sku-1'] },
    ],
  },
};

const validDecide: Record<string, DecideBody> = {
  'anonymous, one slot': { v: 1, slots: [{ id: 'recommended' }], context: {} },
  'known visitor, two slots on a product page': {
    v: 1,
    vid: 'visitor-0001',
    slots: [{ id: 'similar', max: 4 }, { id: 'recommended' }],
    context: { item: 'sku-1', path: '/p/sku-1' },
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

// Values both type systems allow but the Worker refuses: bounds zod checks at run time.
const refusedAtRunTime: Record<string, [typeof collectRequest | typeof decideRequest, unknown]> = {
  'no events': [collectRequest, { ...base, consent: ['analytics'], events: [] }],
  'no consent': [collectRequest, { ...base, consent: [], events: [{ id: 'event-0001', type: 'page_view', ts }] }],
  'visitor id with spaces': [collectRequest, { ...base, vid: 'not a valid id', consent: ['analytics'], events: [{ id: 'event-0001', type: 'page_view', ts }] }],
  'scroll depth over 100': [collectRequest, { ...base, consent: ['analytics'], events: [{ id: 'event-0001', type: 'scroll', ts, depth: 101 }] }],
  '101 events': [collectRequest, { ...base, consent: ['analytics'], events: Array.from({ length: 101 }, (_, i) => ({ id: `event-${1000 + i}`, type: 'page_view', ts })) }],
  'no slots': [decideRequest, { v: 1, slots: [], context: {} }],
  'uppercase slot id': [decideRequest, { v: 1, slots: [{ id: 'Recommended' }], context: {} }],
};

describe('wire contract', () => {
  it.each(Object.entries(validCollect))('collect accepts %s', (_, body) => {
    expect(collectRequest.safeParse(body).success).toBe(true);
  });
  it.each(Object.entries(validDecide))('decide accepts %s', (_, body) => {
    expect(decideRequest.safeParse(body).success).toBe(true);
  });
  it.each(Object.entries(invalidCollect))('collect rejects %s', (_, body) => {
    expect(collectRequest.safeParse(body).success).toBe(false);
  });
  it.each(Object.entries(invalidDecide))('decide rejects %s', (_, body) => {
    expect(decideRequest.safeParse(body).success).toBe(false);
  });
  it.each(Object.entries(refusedAtRunTime))('rejects %s', (_, [schema, body]) => {
    expect(schema.safeParse(body).success).toBe(false);
  });
});
