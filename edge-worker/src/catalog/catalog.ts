/**
 * The catalog decisions rank: its items, an index by id and the categories.
 * Published and loaded by `published/published.ts`; built here from the
 * published snapshot, which is checked item by item.
 */
import * as z from 'zod';
import { LIMITS } from '../../../sdk/src/wire';
import { parseOrThrow, webUrl } from '../validate';

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

/** A catalog with an index by id. */
export interface Catalog {
  items: CatalogItem[];
  byId: Map<string, number>;
  categories: string[];
}

/** Builds the in-memory catalog from its published JSON; throws a `TypeError` naming the first malformed item. */
export function buildCatalog(raw: unknown): Catalog {
  const items = parseOrThrow(catalogSnapshot, raw, 'catalog');
  const byId = new Map(items.map((item, index) => [item.id, index]));
  const categories = [...new Set(items.map((item) => item.category))].sort();
  return { items, byId, categories };
}

/**
 * An item's category in the catalog, or undefined for an item it does not list.
 * @example categoryOf(catalog, 'sku-42') // 'laptops'
 */
export function categoryOf(catalog: Catalog, item: string): string | undefined {
  const index = catalog.byId.get(item);
  return index === undefined ? undefined : catalog.items[index]!.category;
}
