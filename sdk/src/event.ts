/**
 * The tracked event, owned once: building it (a fresh id, its type, the time,
 * this page's path), validating it against the wire contract's `LIMITS` so
 * that nothing the Worker would refuse is ever queued, and the permission to
 * store and send it (a granted purpose, and the issued visitor id it is sent
 * as, when there is one).
 */
import { granted, type Consent } from './consent.js';
import { visitorId } from './identity.js';
import { randomId } from './ids.js';
import { LIMITS, PATTERNS, type EventType, type Purpose, type WireEvent } from './wire.js';

/** Who events are stored and sent as: the purposes the visitor granted, and the id the Worker issued them, once it has. */
export interface Sender {
  vid?: string;
  purposes: Purpose[];
}

/**
 * Whether events may be stored and sent now, and as whom: undefined until a
 * purpose is granted. Without a visitor id yet, events go without one and the
 * Worker's answer issues it.
 * @example sender({ analytics: true }) // { vid: 'k1.t3c9qo.…', purposes: ['analytics'] }, or without vid on a first visit
 */
export function sender(consent: Consent): Sender | undefined {
  const purposes = granted(consent);
  return purposes.length ? { vid: visitorId(), purposes } : undefined;
}

/**
 * This page's path as the wire carries it: no query or fragment (data
 * minimization), cut to the contract's length.
 * @example pagePath() // '/p/sku-42'
 */
export function pagePath(): string {
  return location.pathname.slice(0, LIMITS.pathLength);
}

/**
 * Builds an event: the caller's properties plus a fresh id, the time and this
 * page's path (unless the properties name the page, as engaged time does).
 * @example buildEvent('product_view', { item: 'sku-42' })
 */
export function buildEvent(type: EventType, props?: object): WireEvent {
  return { path: pagePath(), ...props, id: randomId(), type, ts: Date.now() } as WireEvent;
}

type Check = (value: unknown) => boolean;

const text =
  (min: number, max: number): Check =>
  (v) =>
    typeof v == 'string' && v.length >= min && v.length <= max;
const whole =
  (min: number, max: number): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const pattern =
  (shape: RegExp): Check =>
  (v) =>
    typeof v == 'string' && shape.test(v);
const id = pattern(PATTERNS.id);
const item = text(1, LIMITS.itemIdLength);
const qty = optional(whole(1, LIMITS.qtyMax));
const money = optional((v) => typeof v == 'number' && v >= 0 && v <= LIMITS.moneyMax);
const currency = optional(pattern(PATTERNS.currency));
const attribution = { decision: optional(id), slot: optional(text(0, LIMITS.slotLength)) };
const cartChange = { item, qty, price: money, currency, ...attribution };

/** Fields every event has besides `type`, which is checked by looking up its own fields. */
const COMMON: Record<string, Check> = {
  id,
  ts: whole(0, Infinity),
  path: optional(text(0, LIMITS.pathLength)),
};

/** Each type's own fields: exactly these, nothing else (the Worker's schemas are strict). */
const FIELDS: Record<EventType, Record<string, Check>> = {
  page_view: {},
  product_view: { item },
  click: { item, ...attribution },
  scroll: { depth: whole(0, LIMITS.scrollDepthMax) },
  engagement: { ms: whole(1, LIMITS.engagedMsMax) },
  search: { query: text(1, LIMITS.queryLength) },
  add_to_cart: cartChange,
  remove_from_cart: cartChange,
  checkout: {},
  purchase: {
    items: (v) => Array.isArray(v) && v.length > 0 && v.length <= LIMITS.purchaseItems && v.every(item),
    order: optional(text(1, LIMITS.orderIdLength)),
    value: money,
    currency,
    ...attribution,
  },
  impression: { decision: id, slot: pattern(PATTERNS.slotId) },
};

/**
 * The field for which the Worker would refuse this event (`type` for a type it
 * does not know); undefined when it is valid. Judges the event as it travels
 * (JSON drops `undefined`).
 * @example invalidField({ id: 'k3Xb…', type: 'scroll', ts: 1, depth: 101 }) // 'depth'
 */
export function invalidField(event: object): string | undefined {
  const ev = event as Record<string, unknown>;
  if (!Object.hasOwn(FIELDS, ev.type as string)) return 'type';
  const checks = { ...COMMON, ...FIELDS[ev.type as EventType] };
  // Every key either side has, once.
  for (const key in { ...checks, ...ev }) {
    const value = ev[key];
    const check = Object.hasOwn(checks, key) && checks[key];
    if (key != 'type' && (check ? !check(value) : value !== undefined)) return key;
  }
  return undefined;
}
