/**
 * What the benchmark publishes: a catalog of realistic size with the active
 * model and slot configuration, and the visitors it will ask about.
 */
import type { CatalogItem } from '../../edge-worker/src/catalog/catalog';
import { CATALOG_KEY } from '../../edge-worker/src/catalog/catalog';
import { ACTIVE_MODEL_KEY, SKELETON_MODEL } from '../../edge-worker/src/engine/affinity-model';
import { DEFAULT_SLOTS, SLOTS_KEY } from '../../edge-worker/src/engine/slots';

/** Deterministic pseudo-random numbers, so every run benchmarks the same data. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A catalog of `size` items over `categories` categories with a long-tailed popularity. */
export function benchCatalog(size: number, categories: number, random: () => number): CatalogItem[] {
  return Array.from({ length: size }, (_, i) => ({
    id: String(i + 1),
    title: `Product ${i + 1}`,
    category: `category-${Math.floor(random() * categories)}`,
    price: Math.round(random() * 20_000) / 100,
    rating: Math.round((2 + random() * 3) * 10) / 10,
    stock: random() < 0.03 ? 0 : 1 + Math.floor(random() * 100),
    // Zipf-like: a few items take most of the views, as in real shops.
    popularity: Math.round(10_000 / (1 + i) ** 0.8),
    url: `/p/${i + 1}`,
    image: `/img/${i + 1}.svg`,
  }));
}

/** Key/value pairs for the MODELS namespace. */
export function benchSeed(catalog: CatalogItem[]): Array<{ key: string; value: string }> {
  return [
    { key: CATALOG_KEY, value: JSON.stringify(catalog) },
    { key: `model:${SKELETON_MODEL.version}`, value: JSON.stringify(SKELETON_MODEL) },
    { key: ACTIVE_MODEL_KEY, value: SKELETON_MODEL.version },
    { key: SLOTS_KEY, value: JSON.stringify({ ...DEFAULT_SLOTS, trending: { title: 'Trending', size: 8, strategy: 'personal' } }) },
  ];
}

/** The slots one page asks for in the benchmark. */
export const BENCH_SLOTS = [{ id: 'similar' }, { id: 'recommended' }, { id: 'trending' }];
