/**
 * The durable event queue: IndexedDB when the browser has it, memory when it
 * does not (private modes, blocked storage, full quota). Events leave the
 * queue only once the Worker has acknowledged them.
 */
import { openDB, type DBSchema } from 'idb';
import type { WireEvent } from './wire';

/** An event waiting to be sent, with the session it belongs to. */
export interface Queued {
  id: string;
  sid: string;
  ev: WireEvent;
}

/** What the tracker needs from a queue. */
export interface Queue {
  /** Stores an event; resolves once it is durable (or in memory, after a fallback). */
  add(item: Queued): Promise<void>;
  /** Up to `limit` events, oldest first. */
  peek(limit: number): Promise<Queued[]>;
  remove(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  /** `indexeddb` or `memory`, for diagnostics and tests. */
  readonly kind: 'indexeddb' | 'memory';
}

interface Schema extends DBSchema {
  events: { key: string; value: Queued & { at: number }; indexes: { at: number } };
}

const DB_NAME = 'rapport';
/** Bump with a new branch in `upgrade()` whenever the stored shape changes. */
const DB_VERSION = 1;

/** A queue that lives as long as the page. */
export function memoryQueue(initial: Queued[] = []): Queue {
  let items = [...initial];
  return {
    kind: 'memory',
    async add(item) {
      items.push(item);
    },
    async peek(limit) {
      return items.slice(0, limit);
    },
    async remove(ids) {
      items = items.filter((q) => !ids.includes(q.id));
    },
    async clear() {
      items = [];
    },
  };
}

/** Opens the IndexedDB queue, or a memory queue when IndexedDB cannot be used. */
export async function openQueue(): Promise<Queue> {
  let db;
  try {
    db = await openDB<Schema>(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) database.createObjectStore('events', { keyPath: 'id' }).createIndex('at', 'at');
      },
    });
  } catch {
    return memoryQueue();
  }
  let seq = 0;
  let fallback: Queue | undefined;
  const queue: Queue = {
    kind: 'indexeddb',
    async add(item) {
      if (fallback) return fallback.add(item);
      try {
        // `at` keeps insertion order even for events created in the same millisecond.
        await db.put('events', { ...item, at: Date.now() * 1000 + (seq++ % 1000) });
      } catch {
        // Quota exceeded or the database went away: keep working from memory.
        fallback = memoryQueue([item]);
      }
    },
    async peek(limit) {
      const stored = await db.getAllFromIndex('events', 'at', null, limit).catch(() => []);
      const extra = fallback ? await fallback.peek(limit) : [];
      return [...stored.map(({ id, sid, ev }) => ({ id, sid, ev })), ...extra].slice(0, limit);
    },
    async remove(ids) {
      const tx = db.transaction('events', 'readwrite');
      await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]).catch(() => undefined);
      await fallback?.remove(ids);
    },
    async clear() {
      await db.clear('events').catch(() => undefined);
      await fallback?.clear();
    },
  };
  return queue;
}
