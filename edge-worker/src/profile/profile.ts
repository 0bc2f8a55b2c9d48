/**
 * The compact per-visitor profile and how events change it. Pure functions:
 * the KV store and the decision engine build on them, tests call them directly.
 */
import type { TrackedEvent } from '../contract/schemas';

/** Interaction kinds kept in `recent`, strongest last. */
export const Kind = { view: 0, click: 1, cart: 2, purchase: 3 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** How much one interaction of each kind says about interest in its category. */
const KIND_WEIGHT: Record<Kind, number> = [1, 1.5, 3, 5];

/** Interest fades with a one-week half-life so last month's browsing stops steering today. */
const HALF_LIFE_SECONDS = 7 * 24 * 3600;

export const MAX_RECENT = 20;
export const MAX_CATEGORIES = 12;
/**
 * Event ids remembered per visitor, so that a resent event counts once: more
 * than twice what the SDK's queue can hold, so every resend it can make falls
 * inside the window (`sdk/src/queue.ts`).
 */
export const MAX_SEEN_EVENTS = 4096;
export const MAX_CART = 30;
export const MAX_BOUGHT = 50;

/** What the Worker remembers about one pseudonymous visitor. Serialized as JSON; without `seen` (as KV keeps it) well under 1 KB. */
export interface Profile {
  v: 1;
  /** Recent item interactions, oldest first, repeats kept (a second look is a signal): [item, kind, seconds before `at`]. */
  recent: Array<[string, Kind, number]>;
  /** Category → decayed interest, as of `at`. */
  cats: Record<string, number>;
  /** Items in the cart now. */
  cart: string[];
  /** Items bought, most recent last. */
  bought: string[];
  /** 48-bit hashes of the latest event ids (up to MAX_SEEN_EVENTS), packed and base64-encoded, so a resent event counts once. Kept by the visitor's object only, never in KV's snapshot. */
  seen: string;
  /** Events counted, by type initial: views, clicks, carts, purchases, searches, pages. */
  n: { events: number; views: number; carts: number; purchases: number; sessions: number };
  /** Last session id, to count sessions. */
  sid: string;
  /** First and last activity, epoch seconds. */
  first: number;
  at: number;
  /** Frequency caps reached: `slot` or `slot/variant` → epoch seconds until the slot (or variant) may show again (experiments/caps.ts). */
  capped?: Record<string, number>;
}

/** A profile for a visitor the Worker has not seen yet. */
export function emptyProfile(now: number): Profile {
  return {
    v: 1,
    recent: [],
    cats: {},
    cart: [],
    bought: [],
    seen: '',
    n: { events: 0, views: 0, carts: 0, purchases: 0, sessions: 0 },
    sid: '',
    first: now,
    at: now,
  };
}

/**
 * A 48-bit hash of an event id (two FNV-1a passes with different offsets):
 * within the window of {@link MAX_SEEN_EVENTS}, a new id is mistaken for a
 * seen one about once in 10^10 events.
 */
export function hashId(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 7);
  }
  return (a >>> 0) * 0x10000 + ((b >>> 0) & 0xffff);
}

/** Bytes per packed hash. */
const HASH_BYTES = 6;

/** Unpacks the `seen` field into hashes. */
export function unpackSeen(seen: string): number[] {
  const text = atob(seen);
  const view = new DataView(Uint8Array.from(text, (ch) => ch.charCodeAt(0)).buffer);
  return Array.from({ length: Math.floor(text.length / HASH_BYTES) }, (_, i) => view.getUint32(i * HASH_BYTES) * 0x10000 + view.getUint16(i * HASH_BYTES + 4));
}

/** Packs hashes into the `seen` field: 6 bytes each (4,096 ids take 32 KiB of base64). */
export function packSeen(hashes: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(hashes.length * HASH_BYTES));
  hashes.forEach((h, i) => {
    view.setUint32(i * HASH_BYTES, Math.floor(h / 0x10000));
    view.setUint16(i * HASH_BYTES + 4, h % 0x10000);
  });
  let text = '';
  // In slices: spreading 24 KiB of bytes into one call would overflow the argument limit.
  for (let i = 0; i < view.byteLength; i += 8192) text += String.fromCharCode(...new Uint8Array(view.buffer, i, Math.min(8192, view.byteLength - i)));
  return btoa(text);
}

/** Interest decayed from `from` to `to` (both epoch seconds). */
export function decay(weight: number, from: number, to: number): number {
  return to <= from ? weight : weight * 2 ** (-(to - from) / HALF_LIFE_SECONDS);
}

/** Category interests as of `now`, strongest first. */
export function interestsAt(profile: Profile, now: number): Array<[string, number]> {
  return Object.entries(profile.cats)
    .map(([cat, w]): [string, number] => [cat, decay(w, profile.at, now)])
    .sort((a, b) => b[1] - a[1]);
}

function pushBounded<T>(list: T[], value: T, max: number): void {
  list.push(value);
  if (list.length > max) list.splice(0, list.length - max);
}

function without(list: string[], item: string): string[] {
  return list.filter((x) => x !== item);
}

/** Result of applying a batch: the new profile and how many events were new. */
export interface Applied {
  profile: Profile;
  accepted: number;
  duplicates: number;
  /** The new events, oldest first: what the event log gets. */
  fresh: TrackedEvent[];
}

/**
 * A batch's events not seen before (oldest first), and the seen-ids window
 * with them added (packed like {@link Profile.seen}): how a resent event is
 * counted once, by a profile or by a visitor who has none.
 * @example const { fresh, seen } = freshEvents('', batch.events); // every event, and their ids
 */
export function freshEvents(seenPacked: string, events: readonly TrackedEvent[]): { fresh: TrackedEvent[]; seen: string } {
  const seen = unpackSeen(seenPacked);
  const known = new Set(seen);
  const fresh: TrackedEvent[] = [];
  for (const ev of [...events].sort((a, b) => a.ts - b.ts)) {
    const h = hashId(ev.id);
    if (known.has(h)) continue;
    known.add(h);
    seen.push(h);
    fresh.push(ev);
  }
  return { fresh, seen: packSeen(seen.slice(-MAX_SEEN_EVENTS)) };
}

/**
 * Folds a batch of events into a profile. Events already applied (same id)
 * are skipped; `categoryOf` maps an item to its catalog category, if known.
 * The input profile is not modified.
 */
export function applyEvents(
  previous: Profile,
  events: readonly TrackedEvent[],
  sid: string,
  now: number,
  categoryOf: (item: string) => string | undefined,
): Applied {
  const p: Profile = structuredClone(previous);
  // Bring stored interests and ages to `now`, so old and new weights compare.
  for (const [cat, w] of Object.entries(p.cats)) p.cats[cat] = decay(w, p.at, now);
  for (const entry of p.recent) entry[2] += Math.max(0, now - p.at);
  p.at = now;
  const { fresh, seen } = freshEvents(p.seen, events);
  p.seen = seen;
  if (p.sid !== sid) {
    p.sid = sid;
    p.n.sessions++;
  }
  for (const ev of fresh) {
    p.n.events++;
    // Client clocks drift; never let an event claim to be from the future.
    const t = Math.min(Math.floor(ev.ts / 1000), now);
    const touch = (item: string, kind: Kind) => {
      pushBounded(p.recent, [item, kind, now - t], MAX_RECENT);
      const cat = categoryOf(item);
      if (cat) p.cats[cat] = (p.cats[cat] ?? 0) + decay(KIND_WEIGHT[kind], t, now);
    };
    switch (ev.type) {
      case 'product_view':
        p.n.views++;
        touch(ev.item, Kind.view);
        break;
      case 'click':
        touch(ev.item, Kind.click);
        break;
      case 'add_to_cart':
        p.n.carts++;
        touch(ev.item, Kind.cart);
        if (!p.cart.includes(ev.item)) pushBounded(p.cart, ev.item, MAX_CART);
        break;
      case 'remove_from_cart':
        p.cart = without(p.cart, ev.item);
        break;
      case 'purchase':
        p.n.purchases++;
        for (const item of ev.items) {
          touch(item, Kind.purchase);
          p.cart = without(p.cart, item);
          p.bought = without(p.bought, item);
          pushBounded(p.bought, item, MAX_BOUGHT);
        }
        break;
      default:
        // page_view, scroll, engagement, search and checkout are counted but carry no item.
        break;
    }
  }
  p.cats = Object.fromEntries(
    Object.entries(p.cats)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_CATEGORIES)
      .map(([cat, w]) => [cat, Math.round(w * 100) / 100]),
  );
  return { profile: p, accepted: fresh.length, duplicates: events.length - fresh.length, fresh };
}
