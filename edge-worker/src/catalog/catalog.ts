/**
 * The catalog snapshot decisions rank, as published to KV by the seed/publish
 * step (loaded by `storage/published.ts`).
 */

/** One product as the decision engine and the slot renderer need it. */
export interface CatalogItem {
  id: string;
  title: string;
  category: string;
  price: number;
  /** Average rating, 0–5. */
  rating: number;
  /** Units in stock; 0 means never recommend. */
  stock: number;
  /** Relative popularity, ≥ 0 (e.g. views or sales in the last weeks). */
  popularity: number;
  url: string;
  image: string;
}

/** A catalog with an index by id. */
export interface Catalog {
  items: CatalogItem[];
  byId: Map<string, number>;
  categories: string[];
}

/** KV key of the catalog snapshot in the MODELS namespace. */
export const CATALOG_KEY = 'catalog';

function isItem(x: unknown): x is CatalogItem {
  const i = x as CatalogItem;
  return (
    typeof i === 'object' &&
    i !== null &&
    typeof i.id === 'string' &&
    typeof i.title === 'string' &&
    typeof i.category === 'string' &&
    typeof i.price === 'number' &&
    typeof i.stock === 'number' &&
    typeof i.popularity === 'number'
  );
}

/** Builds the in-memory catalog from its published JSON; throws on a malformed snapshot. */
export function buildCatalog(raw: unknown): Catalog {
  if (!Array.isArray(raw) || !raw.every(isItem)) throw new TypeError('catalog snapshot is not an array of items');
  const items = raw as CatalogItem[];
  const byId = new Map(items.map((item, index) => [item.id, index]));
  const categories = [...new Set(items.map((item) => item.category))].sort();
  return { items, byId, categories };
}
