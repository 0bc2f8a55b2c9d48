/**
 * The event log's record: what training needs of one accepted event, and
 * nothing more (data minimization). The pseudonymous visitor id the Worker
 * issued, the session, the type, the item or items, a cart change's
 * quantity, an order's value and currency, the decision and slot that led to
 * it, the client's timestamp, and a search's query; never a path, an IP
 * address, a user agent or any other free text. Only events whose batch
 * granted analytics are logged.
 */
import type { EventType } from '../../../sdk/src/wire';
import type { TrackedEvent } from '../contract/schemas';

/** One logged event, or a decision the visitor was shown. Readers drop repeats by `id` (the queue delivers at least once). */
export interface LogRecord {
  id: string;
  vid: string;
  /** The session; empty for a decision (decide requests carry none). */
  sid: string;
  type: EventType | 'decision';
  /** The client's clock, epoch ms. */
  ts: number;
  item?: string;
  items?: string[];
  qty?: number;
  value?: number;
  currency?: string;
  decision?: string;
  slot?: string;
  query?: string;
  /**
   * A decision's assignments, one per slot that ran an experiment (and the
   * holdout's): `slot experiment arm probability`, space-separated, the
   * probability the arm was drawn with, for inverse-propensity estimates.
   */
  arms?: string[];
}

/** The fields an event keeps in the log, besides those every record has. */
const KEPT = ['item', 'items', 'qty', 'value', 'currency', 'decision', 'slot', 'query'] as const;

/**
 * The log records of a batch's events.
 * @example logRecords('k1.…', 'session-0001', [{ id: 'e1', type: 'product_view', item: 'sku-42', ts: 1, path: '/p/42' }])
 * // [{ id: 'e1', vid: 'k1.…', sid: 'session-0001', type: 'product_view', ts: 1, item: 'sku-42' }]
 */
export function logRecords(vid: string, sid: string, events: readonly TrackedEvent[]): LogRecord[] {
  return events.map((ev) => {
    const record: LogRecord = { id: ev.id, vid, sid, type: ev.type, ts: ev.ts };
    const fields = ev as Partial<Record<(typeof KEPT)[number], unknown>>;
    for (const key of KEPT) if (fields[key] !== undefined) (record as unknown as Record<string, unknown>)[key] = fields[key];
    return record;
  });
}
