/**
 * The demo shop's own product data (built from the open DummyJSON catalog by
 * `demo-shop/catalog/build-catalog.mjs`), and its translation into the
 * catalog snapshot Rapport ranks.
 */
import products from '../catalog/products.json';

/** A product as the shop shows it. */
export interface Product {
  id: string;
  title: string;
  category: string;
  brand: string;
  price: number;
  rating: number;
  stock: number;
  popularity: number;
  description: string;
}

export const PRODUCTS: readonly Product[] = products;
export const PRODUCTS_BY_ID: ReadonlyMap<string, Product> = new Map(PRODUCTS.map((p) => [p.id, p]));
export const CATEGORIES: readonly string[] = [...new Set(PRODUCTS.map((p) => p.category))].sort();

/** `mens-shirts` → `Mens shirts`. */
export function categoryTitle(slug: string): string {
  const words = slug.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const productUrl = (p: Pick<Product, 'id'>) => `/p/${p.id}`;
export const imageUrl = (p: Pick<Product, 'id'>) => `/img/${p.id}.svg`;

/** The catalog feed a merchant publishes to Rapport: what ranking and rendering need, nothing more. */
export function catalogFeed() {
  return PRODUCTS.map((p) => ({
    id: p.id,
    title: p.title,
    category: p.category,
    price: p.price,
    rating: p.rating,
    stock: p.stock,
    popularity: p.popularity,
    url: productUrl(p),
    image: imageUrl(p),
  }));
}
