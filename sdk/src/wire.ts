/**
 * The wire contract between the SDK and the Worker, owned here: every
 * request, event and response type, and `LIMITS`, every bound the Worker
 * enforces. The Worker builds its zod schemas from `LIMITS`
 * (`edge-worker/src/contract/schemas.ts`), the SDK validates events against
 * it before queueing them (`event.ts`), and `tests/contract` runs one table of
 * cases through both. Types only and one object: no zod in the browser bundle.
 */

/**
 * Every limit of the contract. An event or body outside these is answered
 * with a 400 (413 for `bodyBytes`).
 * @example LIMITS.batchEvents // 100: most events one collect request may carry
 */
export const LIMITS = {
  /** Most events one `POST /v1/collect` may carry. */
  batchEvents: 100,
  /** Largest request body, in bytes. */
  bodyBytes: 64 * 1024,
  /** Longest product id (SKU or handle). */
  itemIdLength: 64,
  /** Longest page path (the SDK cuts longer ones). */
  pathLength: 512,
  /** Longest search query. */
  queryLength: 200,
  /** Longest slot name a click carries. */
  slotLength: 64,
  /** Largest quantity of one cart change. */
  qtyMax: 999,
  /** Most items one purchase may list. */
  purchaseItems: 100,
  /** Most slots one decide request may ask for. */
  slotsPerDecide: 10,
  /** Most items a slot may ask for (`data-max`). */
  slotMax: 50,
  /** Longest category name in a decide context. */
  categoryLength: 64,
  /** Scroll depth is a percentage: 0 to 100. */
  scrollDepthMax: 100,
  /** Longest engaged time one event may report, in ms: a day. */
  engagedMsMax: 86_400_000,
  /** Most of the session's recently viewed items a decide may carry (as many as a profile keeps). */
  recentItems: 20,
  /** Largest price or order value, in the currency's major unit. */
  moneyMax: 1e9,
  /** Longest order id. */
  orderIdLength: 64,
} as const;

/**
 * The contract's patterns, apart from {@link LIMITS} so that a minifier can
 * inline every number of LIMITS into the SDK's code (an object holding a
 * regular expression cannot be).
 * @example PATTERNS.id.test('event-0001') // true
 */
export const PATTERNS = {
  /** Session, event and decision ids: random and URL-safe, never an email or a login. */
  id: /^[A-Za-z0-9_-]{8,64}$/,
  /**
   * Visitor ids, issued and signed by the Worker (never made up by a client):
   * key id, issue time (base36 seconds), 128 random bits and an HMAC-SHA-256, base64url.
   */
  visitorId: /^[a-z0-9]{1,8}\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/,
  /** Slot ids: lowercase, as in `data-rapport-slot`. */
  slotId: /^[a-z0-9][a-z0-9_-]{0,63}$/,
  /** Currencies: ISO 4217 codes. */
  currency: /^[A-Z]{3}$/,
} as const;

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

/**
 * The decision that showed what led to an event, and its slot: clicks on
 * slot items carry it, and the SDK adds it to the cart changes and purchase
 * that follow such a click within `attributionMs`, so uplift can be attributed.
 */
interface Attribution {
  decision?: string;
  slot?: string;
}

/** A cart change, with the unit price the shop shows (major unit, e.g. 19.99) and its currency. */
type CartChange = { item: string; qty?: number; price?: number; currency?: string } & Attribution;

/** Properties a caller passes to `track()` for each event type. */
export interface EventProps {
  page_view: None;
  product_view: { item: string };
  click: { item: string } & Attribution;
  scroll: { depth: number };
  /**
   * Time a page was visible (its tab in front, the browser not minimized) since the last
   * report, in ms, and the page it was spent on (default: this one; after a
   * route change, the route that was left).
   */
  engagement: { ms: number; path?: string };
  search: { query: string };
  add_to_cart: CartChange;
  remove_from_cart: CartChange;
  checkout: None;
  /** The order: its id in the shop, the items, and its total value and currency. */
  purchase: { items: string[]; order?: string; value?: number; currency?: string } & Attribution;
  /**
   * A viewable impression of a slot the SDK filled (IAB/MRC): at least half of
   * it on screen for one continuous second, its tab visible and its window
   * focused. Once per slot and decision, so the decision (and its arm) gets the
   * clicks, carts and purchases that follow it measured against what it showed.
   */
  impression: { decision: string; slot: string };
}

/** Every event type the SDK tracks. */
export type EventType = keyof EventProps;

/** One event on the wire. */
export type WireEvent = { [T in EventType]: Base & { type: T } & EventProps[T] }[EventType];

/** Body of `POST /v1/collect`. */
export interface CollectBody {
  v: 1;
  /** The id the Worker issued; absent until it has issued one (the answer then carries it). */
  vid?: string;
  sid: string;
  consent: Purpose[];
  events: WireEvent[];
}

/** Why the Worker did not use a batch's events for a purpose. */
export type RefusalReason =
  /** The request did not grant the purpose. */
  | 'not_granted'
  /** The visitor objected to personalization (`POST /v1/privacy/object`). */
  | 'objection'
  /** The browser sent Global Privacy Control (`Sec-GPC: 1`) and the site honours it. */
  | 'global_privacy_control';

/** A purpose the batch's events were not used for, and why. */
export interface Refusal {
  purpose: Purpose;
  reason: RefusalReason;
  message: string;
}

/**
 * `POST /v1/collect` answers how many events were new, how many were repeats,
 * whether a profile was kept, and each purpose the events were refused for.
 */
export interface CollectResponse {
  /** The visitor id the batch was recorded under: issued now when the request carried none. */
  vid: string;
  accepted: number;
  duplicates: number;
  profile: boolean;
  refused: Refusal[];
}

/** Body of `POST /v1/decide`. */
export interface DecideBody {
  v: 1;
  vid?: string;
  /** Purposes the shopper granted: only with `personalization` is anything about them used. */
  consent?: Purpose[];
  slots: Array<{ id: string; max?: number }>;
  /**
   * The page and the session: `recent` is the session's viewed items, most
   * recent last, which the stored profile may not have caught up with yet.
   */
  context: { item?: string; category?: string; path?: string; recent?: string[] };
}

/** One recommended item as the SDK renders it. */
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

/** The answer for one slot: items for an item slot, a variant (and no items) for a variant slot. */
export interface SlotDecision {
  title: string;
  items: DecidedItem[];
  variant?: DecidedVariant;
}

/** Response of `POST /v1/decide`: what `fill()` renders and resolves with. */
export interface DecideResponse {
  decisionId: string;
  /** `name@version` of the model that ranked, or `popularity` when none could be used. */
  model: string;
  /** Why the fallback was used, when it was. */
  fallback?: string;
  slots: Record<string, SlotDecision>;
}
