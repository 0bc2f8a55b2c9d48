/**
 * The catalog decisions rank: the item schema every published item is checked
 * against (at publish, never at load), its encoding into a binary core
 * (`core.ts`) and display shards (`shards.ts`), and the catalog as a decision
 * sees it: the active version's core with the stock and price changes
 * published since (`delta.ts`) laid over it.
 */
import * as z from 'zod';
import { LIMITS } from '../../../sdk/src/wire';
import { parseOrThrow, webUrl } from '../validate';
import { encodeCore, openCore, type CatalogCore } from './core';
import { EMPTY_DELTA, type Delta } from './delta';
import { buildShards, keyOfText, type ShardRows } from './shards';

/** One product as the decision engine and the slot renderer need it. */
const catalogItem = z.object({
  /** The shop's own id (SKU or handle), as events and decisions name it. */
  id: z.string().min(1).max(LIMITS.itemIdLength),
  title: z.string().min(1),
  category: z.string().min(1).max(LIMITS.categoryLength),
  price: z.number().nonnegative(),
  /** Average rating, 0–5. */
  rating: z.number().min(0).max(5),
  /** Units in stock; 0 means never recommend. */
  stock: z.number().nonnegative(),
  /** Relative popularity, ≥ 0 (e.g. views or sales in the last weeks). */
  popularity: z.number().nonnegative(),
  url: webUrl,
  /** The product's picture; empty when it has none. */
  image: z.union([z.literal(''), webUrl]),
});

/** A published catalog snapshot: every product the shop may recommend. */
const catalogSnapshot = z.array(catalogItem);

export type CatalogItem = z.output<typeof catalogItem>;

/**
 * The items as the Worker keeps them: checked, only the fields it uses, one
 * per id (a later duplicate wins, as the feed's order says). Throws a
 * `TypeError` naming the first malformed item.
 */
export function checkCatalog(raw: unknown): CatalogItem[] {
  const items = parseOrThrow(catalogSnapshot, raw, 'catalog');
  return [...new Map(items.map((item) => [item.id, item])).values()];
}

const { id, title, price, rating, stock, url, image } = catalogItem.shape;
/** A shard as uploaded in parts (`PUT /v1/admin/catalog/parts`): its rows checked as the items they came from. */
const shardRows = z.record(id, z.tuple([title, price, rating, stock, url, image]));

/** Checks a shard's text; throws a `TypeError` naming the first malformed row. */
export function checkShard(text: string): ShardRows {
  return parseOrThrow(shardRows, JSON.parse(text), 'catalog shard');
}

/** A catalog encoded for publishing: the core's bytes and each shard's text. */
export interface EncodedCatalog {
  core: Uint8Array;
  shards: string[];
}

/**
 * Checks and encodes a catalog; throws a `TypeError` naming the first malformed item.
 * @example const { core, shards } = encodeCatalog(items); // core: Uint8Array, shards: JSON texts
 */
export function encodeCatalog(raw: unknown): EncodedCatalog {
  const items = checkCatalog(raw);
  let shards: string[] = [];
  const { bytes } = encodeCore(items, (layout) => {
    const built = buildShards(items, layout);
    shards = built.texts;
    return built.hashes;
  });
  return { core: bytes, shards };
}

/** The catalog as a decision sees it: the active core, and the stock and price changes published since. */
export interface Catalog {
  core: CatalogCore;
  delta: Delta;
  /** An old-format catalog's shards, converted in memory at load (a new-format one reads them from KV). */
  shards?: ReadonlyMap<string, ShardRows>;
}

/**
 * A catalog held whole in memory: its core and shards encoded from the items
 * (an old-format catalog converted at load; tests).
 * @example decide({ ..., catalog: memoryCatalog(items) })
 */
export function memoryCatalog(raw: unknown): Catalog {
  const { core, shards } = encodeCatalog(raw);
  return { core: openCore(core), delta: EMPTY_DELTA, shards: new Map(shards.map((text): [string, ShardRows] => [keyOfText(text), JSON.parse(text) as ShardRows])) };
}

/** Whether an item (a core index) may be recommended: in stock, the latest change to its stock counted. */
export function inStock(catalog: Catalog, index: number): boolean {
  const stock = catalog.delta.get(index)?.stock;
  return stock === undefined ? catalog.core.inStock(index) : stock > 0;
}

/**
 * An item's category in the catalog, or undefined for an item it does not list.
 * @example categoryOf(catalog, 'sku-42') // 'laptops'
 */
export function categoryOf(catalog: Catalog, item: string): string | undefined {
  const index = catalog.core.indexOf(item);
  return index < 0 ? undefined : catalog.core.categories[catalog.core.categoryAt(index)];
}
