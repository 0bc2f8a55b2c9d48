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
import { DurableObject } from 'cloudflare:workers';
import { fnv1a32 } from './assign';
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

export class CounterShard extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, n REAL NOT NULL, s REAL NOT NULL, q REAL NOT NULL)');
      this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
    });
  }

  /** Adds a delivery's rows unless its id was applied already; resolves once durable. Returns whether it counted. */
  async add(delivery: Delivery): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    if (sql.exec('SELECT 1 FROM deliveries WHERE id = ?', delivery.id).toArray().length) return false;
    this.ctx.storage.transactionSync(() => {
      for (const { k, n, s, q } of delivery.rows) {
        sql.exec('INSERT INTO counters (k, n, s, q) VALUES (?, ?, ?, ?) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n, s = s + excluded.s, q = q + excluded.q', k, n, s, q);
      }
      sql.exec('INSERT INTO deliveries (id, at) VALUES (?, ?)', delivery.id, Date.now());
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 86_400_000);
    return true;
  }

  /** Every row whose key starts with `prefix`. */
  async rows(prefix: string): Promise<Row[]> {
    return this.ctx.storage.sql
      .exec<{ k: string; n: number; s: number; q: number }>('SELECT k, n, s, q FROM counters WHERE k >= ? AND k < ?', prefix, `${prefix}\uffff`)
      .toArray()
      .map(({ k, n, s, q }) => ({ k, n, s, q }));
  }

  /** Daily: forgets delivery ids old enough that nothing resends them. */
  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM deliveries WHERE at < ?', Date.now() - DELIVERY_MEMORY_MS);
    await this.ctx.storage.setAlarm(Date.now() + 86_400_000);
  }
}

/** Every shard's rows under `prefix`, added together by key. */
export async function readCounters(env: Env, prefix: string): Promise<Row[]> {
  const shards = await Promise.all(Array.from({ length: COUNTER_SHARDS }, (_, i) => counterShard(env, i).rows(prefix)));
  return merge(shards.flat());
}
