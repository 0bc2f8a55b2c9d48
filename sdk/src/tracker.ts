/**
 * Tracking: events go to the durable queue first, then to the Worker in
 * batches. A batch leaves the queue only when the Worker acknowledged it (or
 * rejected it as invalid, which retrying cannot fix). On page hide whatever is
 * still unsent goes by beacon as well; the Worker drops repeats by event id.
 */
import { backoff } from './backoff';
import type { Queue, Queued } from './queue';
import { beacon, post } from './transport';
import { warn } from './warn';
import { MAX_BATCH, type CollectBody, type Purpose, type WireEvent } from './wire';

/** What the tracker needs from the rest of the SDK. */
export interface TrackerDeps {
  collectUrl: string;
  queue: Queue;
  /** Current ids and purposes; no `vid` or no purpose means nothing may be sent. */
  who(): { vid?: string; purposes: Purpose[] };
  /** Quiet time before a batch is sent, in ms. */
  flushMs: number;
}

/** The tracker's surface. */
export interface Tracker {
  enqueue(item: Queued): Promise<boolean>;
  flush(): Promise<void>;
  /** Sends everything unsent by beacon (page is going away). */
  flushOnHide(): void;
  /** Drops every queued event (consent withdrawn, or forget). */
  drop(): Promise<void>;
}

/** Creates a tracker over a queue. */
export function createTracker(deps: TrackerDeps): Tracker {
  const { collectUrl, queue } = deps;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let attempt = 0;
  // Mirror of what is in the queue and not yet acknowledged, readable synchronously on page hide.
  const unsent = new Map<string, Queued>();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), ms);
  };

  const body = (batch: Queued[], vid: string, purposes: Purpose[]): CollectBody => ({
    v: 1,
    vid,
    sid: batch[0]!.sid,
    consent: purposes,
    events: batch.map((q) => q.ev),
  });

  /** Sends batches until the queue is empty or the Worker asks us to wait. */
  const drain = async () => {
    for (;;) {
      const { vid, purposes } = deps.who();
      if (!vid || !purposes.length) return;
      const queued = await queue.peek(MAX_BATCH);
      queued.forEach((q) => unsent.set(q.id, q));
      // One batch carries one session: events from an earlier visit go in their own batch.
      const batch = queued.filter((q) => q.sid === queued[0]?.sid);
      if (!batch.length) return;
      const { outcome } = await post(collectUrl, body(batch, vid, purposes));
      if (outcome.kind === 'retry') {
        schedule(outcome.after ?? backoff(attempt++));
        return;
      }
      if (outcome.kind === 'reject') warn(`the server rejected ${batch.length} event(s) (HTTP ${outcome.status}); they are dropped`);
      attempt = 0;
      const ids = batch.map((q) => q.id);
      ids.forEach((id) => unsent.delete(id));
      await queue.remove(ids);
    }
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    sending ??= drain().finally(() => (sending = undefined));
    return sending;
  };

  return {
    async enqueue(item) {
      try {
        await queue.add(item);
      } catch (err) {
        warn('could not queue an event', err);
        return false;
      }
      unsent.set(item.id, item);
      schedule(unsent.size >= MAX_BATCH ? 0 : deps.flushMs);
      return true;
    },
    flush,
    flushOnHide() {
      const { vid, purposes } = deps.who();
      if (!vid || !purposes.length || !unsent.size) return;
      const all = [...unsent.values()];
      for (const sid of new Set(all.map((q) => q.sid))) {
        const batch = all.filter((q) => q.sid === sid).slice(-MAX_BATCH);
        beacon(collectUrl, body(batch, vid, purposes));
      }
    },
    async drop() {
      clearTimeout(timer);
      unsent.clear();
      await queue.clear();
    },
  };
}

/** Builds a wire event from a type and its properties. */
export function makeEvent(id: string, type: WireEvent['type'], props: object, path: string): WireEvent {
  return { ...props, id, type, ts: Date.now(), path } as WireEvent;
}
