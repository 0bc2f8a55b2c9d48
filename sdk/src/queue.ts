/**
 * The durable event queue's surface. It lives in IndexedDB (`indexeddb.ts`,
 * imported on demand once a purpose is granted, so a page without consent
 * never downloads it). Where IndexedDB cannot be used (private modes, blocked
 * storage), or fails (a full quota, a deleted database), the tracker keeps
 * the page's events in memory instead, as long as the page.
 * Events leave the queue only once the Worker has acknowledged them; a full
 * queue (`MAX_QUEUED`) refuses new ones.
 */
import type { WireEvent } from './wire.js';

/**
 * Most events a queue keeps (in IndexedDB, or in the tracker's memory without it). A full
 * queue refuses new events: `track()` resolves false for them, with a warning,
 * and every event it already said was recorded is still delivered. It fills
 * only when the Worker has been out of reach for long (offline, or blocked).
 */
export const MAX_QUEUED = 1000;

/** An event waiting to be sent, with the session it belongs to; its key is the event's own id. */
export interface Queued {
  sid: string;
  ev: WireEvent;
}

/** What the tracker needs from a queue. */
export interface Queue {
  /**
   * Stores an event; resolves once it is durable to true, or to false when
   * the queue already holds {@link MAX_QUEUED}; rejects when the database fails.
   */
  add(item: Queued): Promise<boolean>;
  /** Up to `limit` events, oldest first. */
  peek(limit: number): Promise<Queued[]>;
  /** Removes events by id. */
  remove(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
}
