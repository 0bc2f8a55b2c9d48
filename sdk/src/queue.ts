/**
 * The durable event queue's surface. It lives in IndexedDB (`indexeddb.ts`,
 * imported on demand once a purpose is granted, so a page without consent
 * never downloads it). Where IndexedDB cannot be used (private modes, blocked
 * storage) there is no durable queue and the tracker keeps events in memory.
 * Events leave the queue only once the Worker has acknowledged them.
 */
import type { WireEvent } from './wire.js';

/** An event waiting to be sent, with the session it belongs to; its key is the event's own id. */
export interface Queued {
  sid: string;
  ev: WireEvent;
}

/** What the tracker needs from a queue. */
export interface Queue {
  /** Stores an event; resolves once it is durable (or in memory, after a fallback); never rejects. */
  add(item: Queued): Promise<void>;
  /** Up to `limit` events, oldest first. */
  peek(limit: number): Promise<Queued[]>;
  /** Removes events by id. */
  remove(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
}
