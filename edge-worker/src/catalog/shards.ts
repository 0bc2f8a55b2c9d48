/**
 * Catalog shards: the display fields (title, price, rating, stock, url, image)
 * of the items whose id hashes to the shard, as one small JSON text per KV
 * value, keyed by its content hash. A decision fetches only the shards of the
 * items it shows and of the items its reasons name, in one KV bulk read, and
 * an isolate keeps the shards it read (bounded): a shard is immutable, so a
 * cached one never goes stale, and a new catalog version whose shard did not
 * change shares it. JSON rather than binary, because KV's bulk read returns
 * text or JSON, and a shard of ~128 items parses in well under a millisecond.
 */
import { contentHash } from '../published/content-version';
import { compareIds, shardKeyOf, type CatalogCore, type CoreLayout } from './core';

/** An item's display fields, as a decision's answer shows them. */
export interface ItemDetails {
  title: string;
  price: number;
  rating: number;
  stock: number;
  url: string;
  image: string;
}

/** One item in a shard's JSON: the fields in a fixed order, so a shard carries no field names. */
export type ShardRow = [title: string, price: number, rating: number, stock: number, url: string, image: string];

/** A shard's items by id. */
export type ShardRows = Record<string, ShardRow>;

/** An item's row in its shard. */
export function rowOf(details: ItemDetails): ShardRow {
  return [details.title, details.price, details.rating, details.stock, details.url, details.image];
}

/** An item's display fields from its row. */
export function detailsOf([title, price, rating, stock, url, image]: ShardRow): ItemDetails {
  return { title, price, rating, stock, url, image };
}

/** The text of a shard, its items in core order. */
export function shardText(rows: ReadonlyArray<[id: string, row: ShardRow]>): string {
  return `{${rows.map(([id, row]) => `${JSON.stringify(id)}:${JSON.stringify(row)}`).join(',')}}`;
}

/** The text of a shard's rows in core order (ids by their UTF-8 bytes): the same text a fresh publish writes. */
export function rowsText(rows: Iterable<[id: string, row: ShardRow]>): string {
  return shardText([...rows].sort(([a], [b]) => compareIds(a, b)));
}

/**
 * Every shard's text for items placed by `layout`, and the shard hashes the
 * core stores (hi, lo per shard).
 */
export function buildShards(items: ReadonlyArray<{ id: string } & ItemDetails>, layout: CoreLayout): { texts: string[]; hashes: Uint32Array } {
  const rows: Array<Array<[string, ShardRow]>> = Array.from({ length: layout.shardCount }, () => []);
  layout.order.forEach((input, i) => rows[layout.shardOfIndex[i]!]!.push([items[input]!.id, rowOf(items[input]!)]));
  const texts = rows.map(shardText);
  const hashes = new Uint32Array(2 * texts.length);
  texts.forEach((text, s) => hashes.set(contentHash(text), 2 * s));
  return { texts, hashes };
}

/** The KV key of a shard's text. */
export function keyOfText(text: string): string {
  return shardKeyOf(...contentHash(text));
}

/** KV's bulk read takes at most 100 keys. */
const BULK_KEYS = 100;
/** About how many bytes of shard rows an isolate keeps (least recently used out first). */
const CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Rows this isolate read, by shard key and item id, most recently used last, with about what each
 * takes. Rows, not whole shards: a decision shows a handful of items from as many shards, so with a
 * million items a cache of shards would hold few of the shown items (8 MiB is ~1,000 of 8,192
 * shards) while a cache of rows holds every item a model recommends. A shard key is its content
 * hash, so a cached row never goes stale.
 */
const cache = new Map<string, { row: ShardRow; bytes: number }>();
let cachedBytes = 0;

/** How many bytes of shard rows this isolate holds, about (the bench reports it beside the core's size). */
export function cachedShardBytes(): number {
  return cachedBytes;
}

/** Forgets every cached row (tests). */
export function forgetShards(): void {
  cache.clear();
  cachedBytes = 0;
}

const cacheKey = (shardKey: string, id: string): string => `${shardKey} ${id}`;

/** About what a row takes in memory: its strings and an array's overhead. */
const rowBytes = (key: string, row: ShardRow): number => 2 * (key.length + row[0].length + row[4].length + row[5].length) + 96;

function remember(key: string, row: ShardRow): void {
  const had = cache.get(key);
  if (had) {
    cache.delete(key);
    cachedBytes -= had.bytes;
  }
  const bytes = rowBytes(key, row);
  cache.set(key, { row, bytes });
  cachedBytes += bytes;
  for (const [old, entry] of cache) {
    if (cachedBytes <= CACHE_BYTES || old === key) break;
    cache.delete(old);
    cachedBytes -= entry.bytes;
  }
}

/** What shards are read from: a KV namespace's bulk read. */
export interface ShardStore {
  get(keys: string[], type: 'text'): Promise<Map<string, string | null>>;
}

/**
 * Reads shards by key from KV, in bulk reads of up to 100 keys, all at once. Throws an `Error`
 * naming a shard KV does not hold.
 */
export async function readShards(kv: ShardStore, keys: readonly string[]): Promise<Map<string, ShardRows>> {
  const unique = [...new Set(keys)];
  const reads = [];
  for (let i = 0; i < unique.length; i += BULK_KEYS) reads.push(kv.get(unique.slice(i, i + BULK_KEYS), 'text'));
  const found = new Map<string, ShardRows>();
  for (const texts of await Promise.all(reads)) {
    for (const [key, text] of texts) {
      if (text === null) throw new Error(`its shard ${key} is missing`);
      found.set(key, JSON.parse(text) as ShardRows);
    }
  }
  return found;
}

/**
 * The display fields of items by core index: their shards from `shards` (an old-format catalog's,
 * converted in memory), or else the rows this isolate cached and, for the others, their shards
 * read from KV in one bulk read.
 */
export async function itemDetails(kv: ShardStore, core: CatalogCore, indices: Iterable<number>, shards?: ReadonlyMap<string, ShardRows>): Promise<Map<number, ItemDetails>> {
  const wanted = [...new Set(indices)].map((index) => {
    const key = core.shardKey(core.shardOf(index));
    const id = core.idAt(index);
    return { index, key, id, cached: shards ? undefined : cache.get(cacheKey(key, id))?.row };
  });
  const missing = wanted.filter(({ cached }) => cached === undefined).map(({ key }) => key);
  const rows = shards ?? (missing.length ? await readShards(kv, missing) : new Map<string, ShardRows>());
  const out = new Map<number, ItemDetails>();
  for (const { index, key, id, cached } of wanted) {
    const row = cached ?? rows.get(key)?.[id];
    if (!row) throw new Error(`its shard ${key} does not hold item ${JSON.stringify(id)}`);
    if (!shards) remember(cacheKey(key, id), row);
    out.set(index, detailsOf(row));
  }
  return out;
}
