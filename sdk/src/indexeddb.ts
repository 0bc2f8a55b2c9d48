/**
 * The durable queue in IndexedDB. Imported on demand by `init()` once a
 * purpose is granted. It speaks to IndexedDB directly: the few requests it
 * makes are wrapped in promises here, which costs a tenth of the bytes of a
 * wrapper library in what every shopper downloads. The schema is versioned:
 * the upgrade carries queued events over from older SDKs, so nothing they
 * left is lost. Full at `MAX_QUEUED` events.
 */
import { MAX_QUEUED, type Queue, type Queued } from './queue.js';

const DB_NAME = 'rapport';
const STORE = 'events';
/**
 * Bump with a new step in `upgrade()` whenever the stored shape changes.
 *   1  records `{id, sid, ev, at}` keyed by `id` (the event id, stored twice)
 *   2  records `{sid, ev, at}` keyed by `ev.id`, indexed by `at`
 */
const DB_VERSION = 2;

/** A stored record: the event, its session and `at`, which orders the queue. */
type Stored = Queued & { at: number };

/**
 * A request's result, or its transaction's completion, as a promise; `make`
 * throwing (a closed connection) rejects it too.
 */
function settled<T>(make: () => IDBRequest<T> | IDBTransaction): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = make();
    if ('oncomplete' in request) {
      request.oncomplete = () => resolve(undefined as T);
      request.onabort = request.onerror = () => reject(request.error);
    } else {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }
  });
}

/** Creates version 2's store, carrying over what version 1 held. */
function upgrade(open: IDBOpenDBRequest, oldVersion: number): void {
  const db = open.result;
  const create = (queued: Stored[]) => {
    const store = db.createObjectStore(STORE, { keyPath: 'ev.id' });
    store.createIndex('at', 'at');
    for (const { sid, ev, at } of queued) store.put({ sid, ev, at });
  };
  if (oldVersion !== 1) return create([]);
  // Only IndexedDB requests run in between, so the upgrade transaction stays open.
  void settled(() => open.transaction!.objectStore(STORE).getAll() as IDBRequest<Stored[]>).then((queued) => {
    db.deleteObjectStore(STORE);
    create(queued);
  });
}

/**
 * Opens the queue's database (creating or upgrading it); undefined where
 * IndexedDB cannot be used (some private modes, blocked storage, a tab of an
 * older SDK holding it open): the tracker keeps the page's events in memory then.
 * @example const queue = await openDurableQueue();
 */
export async function openDurableQueue(): Promise<Queue | undefined> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = (event) => upgrade(open, event.oldVersion);
    open.onblocked = reject;
    settled(() => open).then(resolve, reject);
  }).catch(() => undefined);
  if (!db) return undefined;
  // A newer SDK in another tab needs the database, or it is being deleted: let it go.
  db.onversionchange = () => db.close();
  const store = (mode: IDBTransactionMode = 'readonly') => db.transaction(STORE, mode).objectStore(STORE);
  let last = 0;
  return {
    async add(item) {
      // Tabs adding at the same moment may pass the cap by an event or two: it bounds, it does not count.
      if ((await settled(() => store().count())) >= MAX_QUEUED) return false;
      // `at` keeps insertion order, however many events share a millisecond.
      last = Math.max(Date.now() * 1000, last + 1);
      await settled(() => {
        const tx = db.transaction(STORE, 'readwrite');
        tx.objectStore(STORE).put({ ...item, at: last });
        return tx;
      });
      return true;
    },
    async peek(limit) {
      const stored = await settled(() => store().index('at').getAll(null, limit) as IDBRequest<Stored[]>).catch(() => []);
      return stored.map(({ sid, ev }) => ({ sid, ev }));
    },
    async remove(ids) {
      await settled(() => {
        const tx = db.transaction(STORE, 'readwrite');
        for (const id of ids) tx.objectStore(STORE).delete(id);
        return tx;
      }).catch(() => undefined); // the database went away: nothing left to remove
    },
    async clear() {
      // The whole database goes (consent withdrawn, or forget()): nothing of the shopper stays in the browser.
      db.close();
      await settled(() => indexedDB.deleteDatabase(DB_NAME)).catch(() => undefined);
    },
  };
}
