#!/usr/bin/env node
// Builds demo-shop/catalog/products.json from the open DummyJSON catalog in
// ../shared/data (MIT, see LICENSE.DummyJSON beside this file). Only names,
// categories, brands, prices, ratings and stock are taken; descriptions are
// written here and images are drawn by the demo shop itself.
// Run: node demo-shop/catalog/build-catalog.mjs
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../../shared/data/catalog/dummyjson/products.json');
if (!existsSync(source)) {
  console.error(`build-catalog: ${source} not found. It lives in ../shared/data beside the checkout.`);
  process.exit(1);
}

const label = (slug) => slug.replace(/-/g, ' ');
const products = JSON.parse(readFileSync(source, 'utf8')).map((p) => ({
  id: String(p.id),
  title: p.title,
  category: p.category,
  brand: p.brand ?? '',
  price: p.price,
  rating: p.rating,
  stock: p.stock,
  // No sales data ships with the catalog: shopper ratings times review count stand in for popularity.
  popularity: Math.round(p.rating * (p.reviews?.length ?? 1) * 10),
  description: `${p.brand && !p.title.startsWith(p.brand) ? `${p.brand} ` : ''}${p.title}, from our ${label(p.category)} range. Rated ${p.rating.toFixed(1)} out of 5 by shoppers.`,
}));
const out = join(here, 'products.json');
writeFileSync(out, JSON.stringify(products, null, 0).replace(/\},\{/g, '},\n{') + '\n');
console.log(`build-catalog: wrote ${products.length} products to ${out}`);
