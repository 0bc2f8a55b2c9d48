/**
 * Tracking: events go to the durable queue first, then to the Worker in
 * batches. A batch leaves the queue only when the Worker acknowledged it. A
 * batch the Worker finds invalid is sent again in halves until each bad event
 * stands alone, and only that event is dropped. The first batch goes without a
 * visitor id and the answer's id is kept; a batch whose id the Worker refuses
 * (401) is sent again at once without one. A send once scheduled is never
 * brought forward by more tracking, so the wait after a failure (the Worker's
 * Retry-After, or the backoff) is kept. Nothing is tried while the browser is
 * offline, and everything as soon as it is back online. Each time the page is
 * hidden or left, what is unsent goes by one beacon (per session), once the
 * visitor id is known; the Worker drops repeats by event id.
 */
import { backoff, halves } from './backoff.js';
import type { Sender } from './event.js';
import { keepVisitorId } from './identity.js';
import { MAX_QUEUED, type Queue, type Queued } from './queue.js';
import { beacon, post } from './transport.js';
import { warn } from './warn.js';
import { LIMITS, type CollectBody, type CollectResponse } from './wire.js';

/** The tracker's surface. */
export interface Tracker {
  /** Queues an event (durably where the browser allows) and schedules a send; resolves false when the queue is full. */
  enqueue(item: Queued): Promise<boolean>;
  /** Sends what is queued now (unless the browser is offline), even during a wait. */
  flush(): Promise<void>;
  /** Drops every queued event (consent withdrawn, or forget). */
  drop(): Promise<void>;
  /** The events not yet acknowledged, oldest first (for export). */
  pending(): Promise<Queued[]>;
}

const body = (batch: Queued[], { vid, purposes }: Sender): CollectBody => ({
  v: 1,
  vid,
  sid: batch[0]!.sid,
  consent: purposes,
  events: batch.map((q) => q.ev),
});

/**
 * Creates a tracker over a queue, or over this page's memory alone.
 * @param collectUrl where batches go
 * @param queue the queue; without one (IndexedDB unavailable, or its code could not be downloaded), events live in this page's memory, {@link MAX_QUEUED} at most
 * @param sender as whom events may be sent now; undefined means nothing may be sent
 * @param flushMs longest an event waits before its batch is sent, in ms
 * @example
 * const tracker = createTracker('https://rapport.example.com/v1/collect', queue, () => sender(consent), 1000);
 * await tracker.enqueue({ sid, ev: buildEvent('page_view') });
 */
export function createTracker(collectUrl: string, queue: Queue | undefined, sender: () => Sender | undefined, flushMs: number): Tracker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let attempt = 0;
  // What this page has not yet seen acknowledged, oldest first: readable synchronously on
  // page hide, and the whole queue where there is no queue.
  const unsent = new Map<string, Queued>();
  // Whether this exit's beacon went: leaving fires both pagehide and visibilitychange.
  let hidden = false;

  /** Whether `batch` is still to be delivered: false once dropped (forget, or every purpose withdrawn) while it travelled. */
  const kept = (batch: Queued[]) => unsent.has(batch[0]!.ev.id);

  /** Sends in `ms`, unless a send is already scheduled: tracking more never cuts a wait short. */
  const schedule = (ms: number) => {
    timer ??= setTimeout(flush, ms);
  };
  const unschedule = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  /**
   * Sends one batch as `as` (default: as whom sending is allowed now), splitting
   * it while the Worker finds it invalid; false when sending must stop for now
   * (the Worker asked us to wait, or nothing may be sent any more).
   */
  const send = async (batch: Queued[], as = sender()): Promise<boolean> => {
    if (!as) return false;
    const { outcome, response } = await post(collectUrl, body(batch, as));
    if (outcome.kind === 'retry') {
      // The wait replaces a send scheduled while this one travelled.
      unschedule();
      schedule(outcome.after ?? backoff(attempt++));
      return false;
    }
    if (outcome.kind === 'reissue' && as.vid) {
      // Altered, expired or revoked, or made up by an older SDK: forget the id and
      // send the same batch at once without one (unless it was dropped meanwhile);
      // the answer issues a new one.
      keepVisitorId();
      return kept(batch) && send(batch, { purposes: as.purposes });
    }
    if (outcome.kind === 'invalid' && batch.length > 1) {
      // Each half asks anew as whom to go: the first may have been issued an id.
      const [first, second] = halves(batch);
      return (await send(first)) && send(second);
    }
    if (outcome.kind !== 'done') {
      warn(`dropped ${batch.length} event(s) the server refused (HTTP ${outcome.status})`, batch);
    } else {
      const { vid } = (await response!.json().catch(() => ({}))) as Partial<CollectResponse>;
      // Not when the batch was dropped meanwhile: that must not bring an id back.
      if (vid && kept(batch)) keepVisitorId(vid);
    }
    attempt = 0;
    const ids = batch.map((q) => q.ev.id);
    ids.forEach((id) => unsent.delete(id));
    await queue?.remove(ids);
    return true;
  };

  /** Sends batches until the queue is empty, sending is not allowed, or the Worker asks us to wait. */
  const drain = async () => {
    while (sender()) {
      const queued = queue ? await queue.peek(LIMITS.batchEvents) : [...unsent.values()].slice(0, LIMITS.batchEvents);
      queued.forEach((q) => unsent.set(q.ev.id, q));
      // One batch carries one session: events from an earlier visit go in their own batch.
      const batch = queued.filter((q) => q.sid === queued[0]?.sid);
      if (!batch.length || !(await send(batch))) return;
    }
  };

  const flush = async () => {
    unschedule();
    // Offline, nothing is tried: coming back online flushes.
    if (navigator.onLine) await (sending ??= drain().finally(() => (sending = undefined)));
  };

  /** Sends by beacon what is unsent, once each time the page is hidden or left (once the visitor id is known). */
  const beaconUnsent = () => {
    const as = sender();
    // A beacon's answer cannot be read: sent without an id, its events would be
    // recorded under one this SDK never learns. They wait for the next page.
    if (hidden || !as?.vid) return;
    hidden = true;
    const all = [...unsent.values()];
    for (const sid of new Set(all.map((q) => q.sid))) {
      beacon(collectUrl, body(all.filter((q) => q.sid === sid).slice(-LIMITS.batchEvents), as));
    }
  };
  // Leaving fires both (Chromium: pagehide first), switching tabs only the second; shown again, the page may beacon again.
  addEventListener('pagehide', beaconUnsent);
  addEventListener('visibilitychange', () => (document.visibilityState == 'visible' ? (hidden = false) : beaconUnsent()));
  addEventListener('online', flush);

  return {
    async enqueue(item) {
      // Unsent from now on, before the queue's write completes: an event tracked as the page is hidden goes in the exit's beacon.
      unsent.set(item.ev.id, item);
      // The database failing (a full quota, deleted meanwhile): this page carries on in memory, and
      // what the database still holds waits for the next page.
      const added = queue
        ? await queue.add(item).catch(() => {
            queue = undefined;
            return true;
          })
        : unsent.size <= MAX_QUEUED;
      // Full (the Worker out of reach for long): the new event is refused, never an older one dropped.
      if (!added) {
        unsent.delete(item.ev.id);
        warn('queue full: event not recorded');
        return false;
      }
      schedule(flushMs);
      return true;
    },
    flush,
    async drop() {
      unschedule();
      unsent.clear();
      await queue?.clear();
    },
    pending: async () => (queue ? queue.peek(MAX_QUEUED) : [...unsent.values()]),
  };
}
