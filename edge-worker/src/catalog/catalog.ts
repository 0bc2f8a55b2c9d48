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

/**
 * KV key of the pointer to the current catalog version. Snapshots are
 * immutable under `catalog:<version>`, so an isolate re-reads only this short
 * pointer to notice a new catalog, never the whole snapshot.
 */
export const CATALOG_POINTER_KEY = 'catalog:active';

/** KV key of one catalog version's snapshot. */
export function catalogKey(version: string): string {
  return `catalog:${version}`;
}

/** A content version: 64-bit FNV-1a of the text, so republishing the same catalog changes nothing. */
function contentVersion(text: string): string {
  let lo = 0x84222325;
  let hi = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // Multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loMul >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** The KV entries that publish a catalog: the snapshot under its version first, then the pointer to it. */
export function catalogEntries(items: readonly CatalogItem[]): Array<{ key: string; value: string }> {
  const text = JSON.stringify(items);
  const version = contentVersion(text);
  return [
    { key: catalogKey(version), value: text },
    { key: CATALOG_POINTER_KEY, value: version },
  ];
}

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
