/**
 * Tracking: events go to the durable queue first, then to the Worker in
 * batches. A batch leaves the queue only when the Worker acknowledged it. A
 * batch the Worker finds invalid is sent again in halves until each bad event
 * stands alone, and only that event is dropped. On page hide whatever is still
 * unsent goes by beacon as well; the Worker drops repeats by event id.
 */
import { backoff, halves } from './backoff.js';
import type { Sender } from './event.js';
import type { Queue, Queued } from './queue.js';
import { beacon, post } from './transport.js';
import { warn } from './warn.js';
import { LIMITS, type CollectBody } from './wire.js';

/** What the tracker needs from the rest of the SDK. */
export interface TrackerDeps {
  collectUrl: string;
  /** The durable queue; without one, events live in memory as long as the page. */
  queue?: Queue;
  /** As whom events may be sent now; undefined means nothing may be sent. */
  sender(): Sender | undefined;
  /** Quiet time before a batch is sent, in ms. */
  flushMs: number;
}

/** The tracker's surface. */
export interface Tracker {
  /** Queues an event (durably where the browser allows) and schedules a send; resolves true. */
  enqueue(item: Queued): Promise<boolean>;
  flush(): Promise<void>;
  /** Sends everything unsent by beacon (page is going away). */
  flushOnHide(): void;
  /** Drops every queued event (consent withdrawn, or forget). */
  drop(): Promise<void>;
}

const body = (batch: Queued[], { vid, purposes }: Sender): CollectBody => ({
  v: 1,
  vid,
  sid: batch[0]!.sid,
  consent: purposes,
  events: batch.map((q) => q.ev),
});

/**
 * Creates a tracker over a durable queue, or over memory alone.
 * @example
 * const tracker = createTracker({ collectUrl: 'https://rapport.example.com/v1/collect', queue, sender: () => sender(consent), flushMs: 1000 });
 * await tracker.enqueue({ sid, ev: buildEvent('page_view') });
 */
export function createTracker(deps: TrackerDeps): Tracker {
  const { collectUrl, queue } = deps;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let attempt = 0;
  // What this page has not yet seen acknowledged, oldest first: readable synchronously on
  // page hide, and the whole queue where there is no durable one.
  const unsent = new Map<string, Queued>();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), ms);
  };

  /** Sends one batch, splitting it while the Worker finds it invalid; false when the Worker asked us to wait. */
  const send = async (batch: Queued[], as: Sender): Promise<boolean> => {
    const { outcome } = await post(collectUrl, body(batch, as));
    if (outcome.kind === 'retry') {
      schedule(outcome.after ?? backoff(attempt++));
      return false;
    }
    if (outcome.kind === 'invalid' && batch.length > 1) {
      const [first, second] = halves(batch);
      return (await send(first, as)) && send(second, as);
    }
    if (outcome.kind !== 'done') {
      warn(`dropped ${batch.length} event(s) the server refused (HTTP ${outcome.status})`, batch.map((q) => q.ev));
    }
    attempt = 0;
    const ids = batch.map((q) => q.ev.id);
    ids.forEach((id) => unsent.delete(id));
    await queue?.remove(ids);
    return true;
  };

  /** Sends batches until the queue is empty, sending is not allowed, or the Worker asks us to wait. */
  const drain = async () => {
    for (let as = deps.sender(); as; as = deps.sender()) {
      const queued = queue ? await queue.peek(LIMITS.batchEvents) : [...unsent.values()].slice(0, LIMITS.batchEvents);
      queued.forEach((q) => unsent.set(q.ev.id, q));
      // One batch carries one session: events from an earlier visit go in their own batch.
      const batch = queued.filter((q) => q.sid === queued[0]?.sid);
      if (!batch.length || !(await send(batch, as))) return;
    }
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    sending ??= drain().finally(() => (sending = undefined));
    return sending;
  };

  return {
    async enqueue(item) {
      await queue?.add(item);
      unsent.set(item.ev.id, item);
      schedule(unsent.size >= LIMITS.batchEvents ? 0 : deps.flushMs);
      return true;
    },
    flush,
    flushOnHide() {
      const as = deps.sender();
      if (!as) return;
      const all = [...unsent.values()];
      for (const sid of new Set(all.map((q) => q.sid))) {
        beacon(collectUrl, body(all.filter((q) => q.sid === sid).slice(-LIMITS.batchEvents), as));
      }
    },
    async drop() {
      clearTimeout(timer);
      unsent.clear();
      await queue?.clear();
    },
  };
}
