/**
 * The durable queue in IndexedDB, through `idb`. Imported on demand by
 * `init()` once a purpose is granted. The schema is versioned: `upgrade()`
 * carries queued events over from older SDKs, so nothing they left is lost.
 * Full at `MAX_QUEUED` events, like the memory queue.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { memoryQueue } from './memory-queue.js';
import { MAX_QUEUED, type Queue, type Queued } from './queue.js';

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
 * Opens the queue's database (creating or upgrading it); a queue in memory where IndexedDB cannot be used.
 * @example const queue = await openDurableQueue();
 */
export async function openDurableQueue(): Promise<Queue> {
  const db: IDBPDatabase<Schema> | undefined = await new Promise<IDBPDatabase<Schema>>((resolve, reject) => {
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
      blocking: () => db?.close(),
    }).then(resolve, reject);
  }).catch(() => undefined);
  // Without IndexedDB (some private modes, blocked storage): in memory, as long as the page.
  if (!db) return memoryQueue();
  let last = 0;
  let fallback: Queue | undefined;
  return {
    async add(item) {
      if (fallback) return fallback.add(item);
      try {
        // Tabs adding at the same moment may pass the cap by an event or two: it bounds, it does not count.
        if ((await db.count('events')) >= MAX_QUEUED) return false;
        // `at` keeps insertion order, however many events share a millisecond.
        last = Math.max(Date.now() * 1000, last + 1);
        await db.put('events', { ...item, at: last });
      } catch {
        // Quota exceeded or the database went away: keep working from memory.
        fallback = memoryQueue([item]);
      }
      return true;
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
