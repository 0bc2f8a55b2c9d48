/**
 * Category listings and search results: the filters and orders a shopper
 * picks in the listing's form (plain query parameters, so every listing is a
 * link that can be shared, bookmarked and used without script).
 */
import { categoryTitle, type Product } from './catalog';

export const SORTS = {
  featured: 'Most popular',
  'price-asc': 'Price: low to high',
  'price-desc': 'Price: high to low',
  rating: 'Best rated',
  name: 'Name: A to Z',
} as const;
export type Sort = keyof typeof SORTS;

/** The shopper's filters, read from the query string; anything unreadable is no filter. */
export interface Filters {
  brands: string[];
  min?: number;
  max?: number;
  /** Lowest rating shown. */
  rating?: number;
  inStock: boolean;
  /** `relevance`: search results in the order `search` found them. */
  sort: Sort | 'relevance';
}

/** Ratings the form offers as "x and up". */
export const RATING_STEPS = [4, 3, 2] as const;

const amount = (value: string | undefined) => {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

export function readFilters(
  query: (name: string) => string | undefined,
  queries: (name: string) => string[] | undefined,
  unsorted: Sort | 'relevance' = 'featured',
): Filters {
  const sort = query('sort');
  const rating = amount(query('rating'));
  return {
    brands: (queries('brand') ?? []).filter(Boolean),
    min: amount(query('min')),
    max: amount(query('max')),
    rating: rating !== undefined && rating <= 5 ? rating : undefined,
    inStock: query('stock') === '1',
    sort: sort && Object.hasOwn(SORTS, sort) ? (sort as Sort) : unsorted,
  };
}

const BY: Record<Sort, (a: Product, b: Product) => number> = {
  featured: (a, b) => b.popularity - a.popularity,
  'price-asc': (a, b) => a.price - b.price,
  'price-desc': (a, b) => b.price - a.price,
  rating: (a, b) => b.rating - a.rating,
  name: (a, b) => a.title.localeCompare(b.title, 'en'),
};

/** The products that pass the filters, in the chosen order (ties by popularity, then id, so pages are stable; relevance keeps theirs). */
export function applyFilters(products: readonly Product[], f: Filters): Product[] {
  const kept = products.filter(
      (p) =>
        (!f.brands.length || f.brands.includes(p.brand)) &&
        (f.min === undefined || p.price >= f.min) &&
        (f.max === undefined || p.price <= f.max) &&
        (f.rating === undefined || p.rating >= f.rating) &&
        (!f.inStock || p.stock > 0),
  );
  if (f.sort === 'relevance') return kept;
  const by = BY[f.sort];
  return kept.sort((a, b) => by(a, b) || b.popularity - a.popularity || Number(a.id) - Number(b.id));
}

/** Brands among `products`, with how many each has, by name. */
export function brandsOf(products: readonly Product[]): Array<[brand: string, count: number]> {
  const counts = new Map<string, number>();
  for (const p of products) if (p.brand) counts.set(p.brand, (counts.get(p.brand) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b, 'en'));
}

const words = (text: string) => text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter(Boolean);

/**
 * Products matching every word of the query (a word matches the start of a
 * word in the title, brand, category or description), the title's matches
 * first. An empty query matches nothing.
 */
export function search(products: readonly Product[], query: string): Product[] {
  const terms = words(query);
  if (!terms.length) return [];
  const scored: Array<[Product, number]> = [];
  for (const p of products) {
    const title = words(p.title);
    const rest = [...words(p.brand), ...words(categoryTitle(p.category)), ...words(p.description)];
    let score = 0;
    for (const term of terms) {
      if (title.some((w) => w.startsWith(term))) score += 2;
      else if (rest.some((w) => w.startsWith(term))) score += 1;
      else {
        score = 0;
        break;
      }
    }
    if (score) scored.push([p, score]);
  }
  return scored.sort(([a, x], [b, y]) => y - x || b.popularity - a.popularity).map(([p]) => p);
}
