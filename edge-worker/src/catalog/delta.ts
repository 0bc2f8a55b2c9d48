/**
 * Stock and price changes without re-publishing the catalog: a small overlay
 * (id → stock and/or price) stored beside a catalog version, re-read by every
 * isolate within seconds and laid over the core at read time (stock in the
 * rules, price in the answer's items). Once it holds more than
 * {@link COMPACT_AT} items it is folded into a new catalog version: a new
 * core (stock flags) and only the shards that hold a changed item rewritten;
 * every other shard is shared with the version before.
 */
import * as z from 'zod';
import type { Issue } from '../http/errors';
import { contentHash } from '../published/content-version';
import { withStock, type CatalogCore } from './core';
import { rowsText, type ShardRow, type ShardRows } from './shards';

/** A change to one item: its units in stock, its price, or both. */
export interface StockPrice {
  stock?: number;
  price?: number;
}

/** The overlay by core index, as decisions read it. */
export type Delta = ReadonlyMap<number, StockPrice>;

/** The overlay as stored: by item id. */
export type StoredDelta = Record<string, StockPrice>;

export const EMPTY_DELTA: Delta = new Map();

/**
 * Items the overlay holds before it is folded into a new version: small
 * enough to parse in every isolate each time it changes (~40 KB of JSON), and
 * its fold rewrites at most this many shards, within one Worker invocation's
 * 1,000 KV operations.
 */
export const COMPACT_AT = 500;

/** What `PATCH /v1/admin/catalog` takes: up to {@link COMPACT_AT} changes, each naming stock or price. */
export const stockPriceChanges = z
  .array(
    z
      .strictObject({ id: z.string().min(1), stock: z.number().int().nonnegative().optional(), price: z.number().nonnegative().finite().optional() })
      .refine((change) => change.stock !== undefined || change.price !== undefined, 'give stock, price or both'),
  )
  .min(1)
  .max(COMPACT_AT);

export type StockPriceChange = z.output<typeof stockPriceChanges>[number];

/** The stored overlay by core index; ids the core does not hold are left out. */
export function deltaByIndex(stored: StoredDelta, core: CatalogCore): Delta {
  const delta = new Map<number, StockPrice>();
  for (const [id, change] of Object.entries(stored)) {
    const index = core.indexOf(id);
    if (index >= 0) delta.set(index, change);
  }
  return delta;
}

/**
 * The stored overlay with `changes` applied (a later field wins), or the
 * issues naming each id the catalog does not hold. Applying the same changes
 * again gives the same overlay.
 */
export function mergeDelta(stored: StoredDelta, changes: readonly StockPriceChange[], core: CatalogCore): { merged: StoredDelta; unknown: Issue[] } {
  const unknown = changes.flatMap(({ id }, i) => (core.indexOf(id) < 0 ? [{ path: `${i}.id`, message: `no item ${JSON.stringify(id)} in the active catalog` }] : []));
  // A Map, then fromEntries: an id such as "__proto__" stays an item, never the object's prototype.
  const merged = new Map(Object.entries(stored));
  for (const { id, stock, price } of changes) {
    merged.set(id, { ...merged.get(id), ...(stock === undefined ? {} : { stock }), ...(price === undefined ? {} : { price }) });
  }
  return { merged: Object.fromEntries(merged), unknown };
}

/**
 * Folds an overlay into a new version of the catalog: the new core's bytes
 * and the texts of the shards that changed (each item's row with its new
 * stock and price). `readRows` reads shards by key.
 */
export async function foldDelta(core: CatalogCore, delta: Delta, readRows: (keys: string[]) => Promise<ReadonlyMap<string, ShardRows>>): Promise<{ core: Uint8Array; shards: string[] }> {
  const byShard = new Map<number, number[]>();
  for (const index of delta.keys()) {
    const shard = core.shardOf(index);
    byShard.set(shard, [...(byShard.get(shard) ?? []), index]);
  }
  const rows = await readRows([...byShard.keys()].map((s) => core.shardKey(s)));
  const stock = new Map<number, boolean>();
  const hashes = new Map<number, [number, number]>();
  const shards: string[] = [];
  for (const [shard, indices] of byShard) {
    const changed = new Map(Object.entries(rows.get(core.shardKey(shard))!));
    for (const index of indices) {
      const id = core.idAt(index);
      const row: ShardRow = [...changed.get(id)!];
      const { stock: units, price } = delta.get(index)!;
      if (units !== undefined) {
        row[3] = units;
        stock.set(index, units > 0);
      }
      if (price !== undefined) row[1] = price;
      changed.set(id, row);
    }
    const text = rowsText(changed);
    hashes.set(shard, contentHash(text));
    shards.push(text);
  }
  return { core: withStock(core, stock, hashes), shards };
}
