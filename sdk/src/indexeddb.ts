/**
 * The durable queue in IndexedDB, through `idb`. Imported on demand by
 * `init()` once a purpose is granted. The schema is versioned: `upgrade()`
 * carries queued events over from older SDKs, so nothing they left is lost.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { memoryQueue } from './memory-queue.js';
import type { Queue, Queued } from './queue.js';

/** A stored record: the event, its session and `at`, which orders the queue. */
type Stored = Queued & { at: number };

interface Schema extends DBSchema {
  events: { key: string; value: Stored; indexes: { at: number } };
}

const DB_NAME = 'rapport';
/**
 * Bump with a new step in `upgrade()` whenever the stored shape changes.
 *   1  records `{id, sid, ev, at}` keyed by `id` (the event id, stored twice)
 *   2  records `{sid, ev, at}` keyed by `ev.id`
 */
const DB_VERSION = 2;

/**
 * Opens the queue's database (creating or upgrading it); throws where IndexedDB cannot be used.
 * @example const queue = await openDurableQueue();
 */
export async function openDurableQueue(): Promise<Queue> {
  const db: IDBPDatabase<Schema> = await new Promise((resolve, reject) => {
    openDB<Schema>(DB_NAME, DB_VERSION, {
      async upgrade(database, oldVersion, _, tx) {
        // Version 1's queued events are carried over. Only IndexedDB requests
        // are awaited here, so the upgrade transaction stays open.
        const queued = oldVersion === 1 ? await tx.objectStore('events').getAll() : [];
        if (oldVersion === 1) database.deleteObjectStore('events');
        const store = database.createObjectStore('events', { keyPath: 'ev.id' });
        store.createIndex('at', 'at');
        for (const { sid, ev, at } of queued) void store.put({ sid, ev, at });
      },
      // A tab still running an older SDK holds the old version open: carry on in memory.
      blocked: reject,
      // A newer SDK in another tab needs the database: let it upgrade.
      blocking: () => db.close(),
    }).then(resolve, reject);
  });
  let seq = 0;
  let fallback: Queue | undefined;
  return {
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
      return [...stored.map(({ sid, ev }) => ({ sid, ev })), ...extra].slice(0, limit);
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
}
