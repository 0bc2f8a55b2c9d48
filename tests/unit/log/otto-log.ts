/**
 * An event log made from the real OTTO sample (`../shared/data/events/otto/sessions.jsonl`): the
 * records a shop running Rapport would have logged for those shoppers, laid out in objects as the
 * queue consumer writes them, and what a reader must make of them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { event } from '../../../edge-worker/src/contract/schemas';
import { type LogRecord, logRecords } from '../../../edge-worker/src/log/record';

/** One OTTO session, as the sample holds it. */
export interface OttoSession {
  session: number;
  events: Array<{ aid: number; ts: number; type: 'clicks' | 'carts' | 'orders' }>;
}

/** The sample's sessions. */
export function readOtto(path: string): OttoSession[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OttoSession);
}

const pad = (n: number) => String(n).padStart(6, '0');
// Neither visitor ids nor event ids sort in time order (random ones don't), so a reader that
// ordered by them instead of by time would be caught.
export const vidOf = (session: number) => `visitor-${pad((session * 7919) % 10007)}`;
const sidOf = (session: number) => `session-${pad(session)}`;
const eventId = (session: number, index: number) => `otto-${pad(session)}-${pad(999_999 - index)}`;

/** The purchase's time: the session's first order. */
const orderTime = (s: OttoSession) => s.events.find((e) => e.type === 'orders')?.ts;

/**
 * The log records of OTTO sessions: each a visitor with one session; clicks are product views,
 * carts are add_to_cart, and a session's orders one purchase of their items at the first
 * order's time. Events go through the collect route's schema and `logRecords`, as the Worker logs them.
 *
 * @param itemId - the shop's id for an OTTO item id (default: the number as text)
 */
export function ottoLogRecords(sessions: readonly OttoSession[], itemId: (aid: number) => string = String): LogRecord[] {
  return sessions.flatMap((s) => {
    const events: unknown[] = [];
    s.events.forEach(({ aid, ts, type }, index) => {
      const id = eventId(s.session, index);
      if (type === 'clicks') events.push({ id, ts, type: 'product_view', item: itemId(aid) });
      if (type === 'carts') events.push({ id, ts, type: 'add_to_cart', item: itemId(aid), qty: 1 });
    });
    const bought = s.events.filter((e) => e.type === 'orders').map((e) => itemId(e.aid));
    if (bought.length) events.push({ id: eventId(s.session, s.events.length), ts: orderTime(s), type: 'purchase', items: bought });
    return logRecords(vidOf(s.session), sidOf(s.session), events.map((e) => event.parse(e)));
  });
}

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);
const nextDay = (day: string) => dayOf(Date.parse(day) + 86_400_000);

/** The bucket's objects: key → NDJSON body. */
export type LogObjects = Map<string, string>;

const ndjson = (records: readonly LogRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

/**
 * Lays records out as the consumer writes them: one object per day of their time. Every 7th record
 * is delivered twice on its day (a second object), every 5th again the next day (a redelivery past
 * midnight), so readers must drop repeats by id.
 */
export function logObjects(records: readonly LogRecord[]): LogObjects {
  const byDay = new Map<string, LogRecord[]>();
  for (const record of records) (byDay.get(dayOf(record.ts)) ?? byDay.set(dayOf(record.ts), []).get(dayOf(record.ts))!).push(record);
  const objects: LogObjects = new Map();
  for (const [day, dayRecords] of byDay) {
    objects.set(`events/dt=${day}/batch-${day}.ndjson`, ndjson(dayRecords));
    objects.set(`events/dt=${day}/compacted-${day}.ndjson`, ndjson(dayRecords.filter((_, i) => i % 7 === 3)));
    objects.set(`events/dt=${nextDay(day)}/redelivered-${day}.ndjson`, ndjson(dayRecords.filter((_, i) => i % 5 === 1)));
  }
  return objects;
}

/** A tombstone, as erasure writes it. */
export function tombstone(vid: string, erasedAt: number, days: string[]): [string, string] {
  return [`tombstones/${vid}.json`, JSON.stringify({ vid, erasedAt, days })];
}

/** Writes objects as a plain copy of the bucket (what `rclone sync` makes). */
export function writeTree(dir: string, objects: LogObjects): void {
  for (const [key, body] of objects) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), body);
  }
}

/** What a reader should make of the sample: sessions and orders, as the sessions and orders files hold them. */
export interface Expected {
  sessions: string[][];
  orders: string[][];
  /** Distinct events. */
  events: number;
}

/**
 * The sessions of views (2 or more) in order of their first event, and the orders in time order,
 * of the sessions not erased, counting only events whose day `inDays` accepts.
 */
export function expected(sessions: readonly OttoSession[], itemId: (aid: number) => string, erased: ReadonlySet<number>, inDays: (day: string) => boolean): Expected {
  // What was logged of each session (a purchase in place of its orders), on the days read.
  const logged = sessions
    .filter((s) => !erased.has(s.session))
    .map((s) => {
      const bought = s.events.filter((e) => e.type === 'orders').map((e) => itemId(e.aid));
      const purchase = bought.length ? [{ ts: orderTime(s)!, id: eventId(s.session, s.events.length), type: 'purchase', items: bought }] : [];
      const events = [
        ...s.events.map((e, index) => ({ ts: e.ts, id: eventId(s.session, index), type: e.type, items: [itemId(e.aid)] })).filter((e) => e.type !== 'orders'),
        ...purchase,
      ];
      return { session: s.session, events: events.filter((e) => inDays(dayOf(e.ts))) };
    })
    .filter((s) => s.events.length > 0);
  const started = (s: (typeof logged)[number]) => Math.min(...s.events.map((e) => e.ts));
  const byTime = (a: { ts: number; id: string }, b: { ts: number; id: string }) => a.ts - b.ts || a.id.localeCompare(b.id);
  const views = logged
    .sort((a, b) => started(a) - started(b) || vidOf(a.session).localeCompare(vidOf(b.session)))
    .map((s) => s.events.filter((e) => e.type === 'clicks').sort(byTime).flatMap((e) => e.items));
  const purchases = logged.flatMap((s) => s.events.filter((e) => e.type === 'purchase'));
  return {
    sessions: views.filter((v) => v.length >= 2),
    orders: purchases.sort(byTime).map((e) => e.items),
    events: logged.reduce((n, s) => n + s.events.length, 0),
  };
}
