/**
 * What the SDK sends and receives, written by hand to match the Worker's zod
 * schemas in `edge-worker/src/contract/schemas.ts` (no zod in the browser
 * bundle). `tests/contract` checks the two agree.
 */

/** Consent purposes. */
export type Purpose = 'analytics' | 'personalization';

interface Base {
  /** Random id; the Worker counts an event once however often it is resent. */
  id: string;
  /** Epoch milliseconds. */
  ts: number;
  /** Page path, without query string or fragment. */
  path?: string;
}

/** No properties. */
type None = Record<never, never>;

/** Properties a caller passes to `track()` for each event type. */
export interface EventProps {
  page_view: None;
  product_view: { item: string };
  click: { item: string; decision?: string; slot?: string };
  scroll: { depth: number };
  search: { query: string };
  add_to_cart: { item: string; qty?: number };
  remove_from_cart: { item: string; qty?: number };
  checkout: None;
  purchase: { items: string[] };
}

/** Every event type the SDK tracks. */
export type EventType = keyof EventProps;

/** One event on the wire. */
export type WireEvent = { [T in EventType]: Base & { type: T } & EventProps[T] }[EventType];

/** Body of `POST /v1/collect`. */
export interface CollectBody {
  v: 1;
  vid: string;
  sid: string;
  consent: Purpose[];
  events: WireEvent[];
}

/** Body of `POST /v1/decide`. */
export interface DecideBody {
  v: 1;
  vid?: string;
  slots: Array<{ id: string; max?: number }>;
  context: { item?: string; category?: string; path?: string };
}

/** One recommended item in a decision. */
export interface DecidedItem {
  id: string;
  title: string;
  price: number;
  url: string;
  image: string;
  category: string;
  /** Why this item is shown, in words a shopper can read. */
  reason: string;
}

/** The content a variant slot shows (a banner, a message). */
export interface DecidedVariant {
  id: string;
  title: string;
  body: string;
  href: string;
  /** Why this variant is shown, in words a shopper can read. */
  reason: string;
}

/** Response of `POST /v1/decide`. */
export interface Decision {
  decisionId: string;
  model: string;
  fallback?: string;
  slots: Record<string, { title: string; items: DecidedItem[]; variant?: DecidedVariant }>;
}

/** Most events one collect request may carry (the Worker rejects more). */
export const MAX_BATCH = 100;
