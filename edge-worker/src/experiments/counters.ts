/**
 * The measurement counters: Durable Objects, sharded by visitor (latency
 * by chance), never KV (whose last write wins and whose writes are limited
 * to one a second per key). Each delivery carries an id; a shard applies a
 * delivery once, so a resend after a lost answer never counts twice. Rows
 * are moments (n, sum, sum of squares) under keys that say what they count
 * (`attribution.ts` `keys`); the report sums every shard.
 *
 * The visitor's object is the producer: its deliveries wait in its state
 * row until a shard confirms them, and its alarm flushes what is left, as
 * it does for the event log.
 */
import { dayOf } from '../log/layout';
import { DurableObject } from 'cloudflare:workers';
import { fnv1a32 } from './hash';
import { merge, type Row } from './attribution';

/** How many shards the counters are spread over: each takes about 1/16 of the shop's measured events. */
export const COUNTER_SHARDS = 16;

/** How long a shard remembers a delivery id: far longer than any resend waits. */
const DELIVERY_MEMORY_MS = 7 * 86_400_000;

/** A batch of rows for one shard, applied once. */
export interface Delivery {
  id: string;
  rows: Row[];
}

/** The shard a visitor's counts go to. */
export function shardOf(vid: string): number {
  return fnv1a32(vid) % COUNTER_SHARDS;
}

/** The shard's object. */
export function counterShard(env: Env, shard: number): DurableObjectStub<CounterShard> {
  return env.COUNTERS.get(env.COUNTERS.idFromName(`shard-${shard}`));
}

/** How soon a shard folds the deliveries it received into its counters (a read folds at once). */
const FOLD_MS = 60_000;

/**
 * Item impressions (`b|day|item`, bias monitoring) are kept as one JSON map
 * per day and bucket of items, not a row per item: a fold then writes at
 * most this many rows for them however many items were shown.
 */
const ITEM_BUCKETS = 16;
const ITEM_PREFIX = 'b|';

/** How long item impressions and decide timings are kept, in days (the report shows at most 90). */
const MONITORING_DAYS = 100;

export class CounterShard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = this.ctx.storage.sql;
      sql.exec('CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, n REAL NOT NULL, s REAL NOT NULL, q REAL NOT NULL)');
      // Every delivery, in arrival order: its id (a resend is refused by it) and, until folded, its rows.
      sql.exec('CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, rows TEXT NOT NULL)');
      sql.exec('CREATE TABLE IF NOT EXISTS folded (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL)');
      sql.exec('CREATE TABLE IF NOT EXISTS items (day TEXT NOT NULL, bucket INTEGER NOT NULL, counts TEXT NOT NULL, PRIMARY KEY (day, bucket))');
    });
  }

  /**
   * Takes a delivery unless its id was taken already; resolves once it is
   * durable (one row written), and returns whether it counted. Its rows reach
   * the counters at the next fold, within {@link FOLD_MS}, many deliveries'
   * rows added up in one write per key.
   */
  async add(delivery: Delivery): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    if (sql.exec('SELECT 1 FROM journal WHERE id = ?', delivery.id).toArray().length) return false;
    sql.exec('INSERT INTO journal (id, at, rows) VALUES (?, ?, ?)', delivery.id, Date.now(), JSON.stringify(delivery.rows));
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > Date.now() + FOLD_MS) await this.ctx.storage.setAlarm(Date.now() + FOLD_MS);
    return true;
  }

  /** Adds the deliveries taken since the last fold to the counters, in one transaction. */
  private fold(): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      const from = sql.exec<{ seq: number }>('SELECT seq FROM folded').toArray()[0]?.seq ?? 0;
      const pending = sql.exec<{ seq: number; rows: string }>('SELECT seq, rows FROM journal WHERE seq > ? ORDER BY seq', from).toArray();
      if (!pending.length) return;
      const items = new Map<string, Map<string, number>>();
      for (const { k, n, s, q } of merge(pending.flatMap((delivery) => JSON.parse(delivery.rows) as Row[]))) {
        if (k.startsWith(ITEM_PREFIX)) {
          const [day, item] = [k.slice(2, 12), k.slice(13)];
          const key = `${day}|${fnv1a32(item) % ITEM_BUCKETS}`;
          if (!items.has(key)) items.set(key, new Map());
          items.get(key)!.set(item, (items.get(key)!.get(item) ?? 0) + n);
          continue;
        }
        sql.exec('INSERT INTO counters (k, n, s, q) VALUES (?, ?, ?, ?) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n, s = s + excluded.s, q = q + excluded.q', k, n, s, q);
      }
      for (const [key, added] of items) {
        const [day, bucket] = key.split('|') as [string, string];
        const stored = sql.exec<{ counts: string }>('SELECT counts FROM items WHERE day = ? AND bucket = ?', day, Number(bucket)).toArray()[0];
        const counts = stored ? (JSON.parse(stored.counts) as Record<string, number>) : {};
        for (const [item, n] of added) counts[item] = (counts[item] ?? 0) + n;
        sql.exec('INSERT INTO items (day, bucket, counts) VALUES (?, ?, ?) ON CONFLICT(day, bucket) DO UPDATE SET counts = excluded.counts', day, Number(bucket), JSON.stringify(counts));
      }
      sql.exec('INSERT INTO folded (one, seq) VALUES (1, ?) ON CONFLICT(one) DO UPDATE SET seq = excluded.seq', pending.at(-1)!.seq);
    });
  }

  /**
   * The rows each range asks for, deliveries not yet folded included: keys
   * starting with `prefix`, from `prefix + from` on (`['b|', '2026-11-01']`:
   * item impressions since that day).
   */
  async rows(ranges: ReadonlyArray<readonly [prefix: string, from?: string]>): Promise<Row[]> {
    this.fold();
    const sql = this.ctx.storage.sql;
    const rows: Row[] = [];
    for (const [prefix, from = ''] of ranges) {
      if (prefix.startsWith(ITEM_PREFIX) || ITEM_PREFIX.startsWith(prefix)) {
        // Only the days asked for are parsed: a day's maps hold every item shown that day.
        for (const { day, counts } of sql.exec<{ day: string; counts: string }>('SELECT day, counts FROM items WHERE day >= ?', prefix === ITEM_PREFIX ? from : '')) {
          for (const [item, n] of Object.entries(JSON.parse(counts) as Record<string, number>)) {
            const k = `${ITEM_PREFIX}${day}|${item}`;
            if (k.startsWith(prefix) && k >= prefix + from && n !== 0) rows.push({ k, n, s: 0, q: 0 });
          }
        }
      }
      for (const { k, n, s, q } of sql.exec<{ k: string; n: number; s: number; q: number }>('SELECT k, n, s, q FROM counters WHERE k >= ? AND k < ?', prefix + from, `${prefix}\uffff`)) {
        rows.push({ k, n, s, q });
      }
    }
    return rows;
  }

  /** Folds what arrived, and forgets deliveries old enough that nothing resends them. */
  override async alarm(): Promise<void> {
    this.fold();
    const sql = this.ctx.storage.sql;
    const folded = sql.exec<{ seq: number }>('SELECT seq FROM folded').toArray()[0]?.seq ?? 0;
    sql.exec('DELETE FROM journal WHERE at < ? AND seq <= ?', Date.now() - DELIVERY_MEMORY_MS, folded);
    // Monitoring keeps its history for MONITORING_DAYS; experiments' counts stay as long as the shop keeps them.
    const oldest = dayOf(Date.now() - MONITORING_DAYS * 86_400_000);
    sql.exec('DELETE FROM items WHERE day < ?', oldest);
    sql.exec("DELETE FROM counters WHERE k >= 'l|' AND k < ?", `l|${oldest}`);
    // Wake again when the oldest delivery left is to be forgotten (a new delivery wakes it sooner).
    const first = sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM journal').toArray()[0]?.at;
    if (first != null) await this.ctx.storage.setAlarm(Math.max(Date.now() + FOLD_MS, first + DELIVERY_MEMORY_MS));
  }
}

/** Every shard's rows in `ranges` (see {@link CounterShard.rows}), added together by key. */
export async function readCounters(env: Env, ranges: ReadonlyArray<readonly [prefix: string, from?: string]>): Promise<Row[]> {
  const shards = await Promise.all(Array.from({ length: COUNTER_SHARDS }, (_, i) => counterShard(env, i).rows(ranges)));
  return merge(shards.flat());
}
