/**
 * The demo shop's catalog (demo-shop/catalog/products.json, built by
 * demo-shop/catalog/build-catalog.mjs): big enough to browse, with the source's
 * names and numbers untouched (a trained model and recorded sessions refer to
 * them) and descriptions that are the shop's own, read against the real
 * DummyJSON source in ../shared/data.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, PRODUCTS } from '../../../demo-shop/src/catalog';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repoRoot, 'demo-shop/catalog/build-catalog.mjs');
const committed = join(repoRoot, 'demo-shop/catalog/products.json');
const sourceFile = resolve(repoRoot, '../shared/data/catalog/dummyjson/products.json');
const present = existsSync(sourceFile);
if (!present) console.warn(`skipping the catalog's source checks: ${sourceFile} not found (../shared/data is absent)`);

interface SourceRecord {
  id: number;
  title: string;
  description: string;
  category: string;
  brand?: string;
  price: number;
  rating: number;
  stock: number;
  reviews?: unknown[];
}
const source: SourceRecord[] = present ? JSON.parse(readFileSync(sourceFile, 'utf8')) : [];

/** Sentences end at a stop followed by a capital or the end ("Furniture Co. suits" is one sentence). */
const sentences = (text: string) => text.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((s) => s.trim() !== '');

/** Every run of six words, lower-cased, with the product's own title taken out (a title may be quoted). */
function shingles(text: string, title: string): Set<string> {
  const words = text.toLowerCase().replaceAll(title.toLowerCase(), ' ').match(/[a-z0-9']+/g) ?? [];
  return new Set(words.slice(0, -5).map((_, i) => words.slice(i, i + 6).join(' ')));
}

describe('the demo catalog', () => {
  it('has at least 150 products in at least 10 categories, each id once', () => {
    expect(PRODUCTS.length).toBeGreaterThanOrEqual(150);
    expect(CATEGORIES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(PRODUCTS.map((p) => p.id)).size).toBe(PRODUCTS.length);
  });

  it('describes every product in two or three plain sentences that name it', () => {
    for (const p of PRODUCTS) {
      const said = sentences(p.description);
      expect(said.length, `${p.id}: ${p.description}`).toBeGreaterThanOrEqual(2);
      expect(said.length, `${p.id}: ${p.description}`).toBeLessThanOrEqual(3);
      for (const s of said) expect(s, `${p.id}`).toMatch(/^[A-Z].*[.!?]$/);
      expect(p.description, `${p.id}: no markup`).not.toMatch(/[<>]|&\w+;/);
      expect(p.description).toContain(p.title);
    }
  });

  it('gives every product a description of its own', () => {
    const seen = new Map<string, string>();
    for (const p of PRODUCTS) {
      expect(seen.get(p.description), `${p.id} reads the same as ${seen.get(p.description)}`).toBeUndefined();
      seen.set(p.description, p.id);
    }
    // Products of one category do not all open the same way either.
    for (const category of CATEGORIES) {
      const inCategory = PRODUCTS.filter((p) => p.category === category);
      const openings = new Set(inCategory.map((p) => sentences(p.description)[0]!.replace(p.title, '').replace(` from ${p.brand}`, '')));
      expect(openings.size, category).toBeGreaterThan(1);
    }
  });

  it.skipIf(!present)("keeps the source's names and numbers as they are", () => {
    expect(PRODUCTS.map((p) => p.id)).toEqual(source.map((r) => String(r.id)));
    for (const [i, p] of PRODUCTS.entries()) {
      const r = source[i]!;
      expect({ title: p.title, category: p.category, brand: p.brand, price: p.price, rating: p.rating, stock: p.stock }).toEqual({
        title: r.title,
        category: r.category,
        brand: r.brand ?? '',
        price: r.price,
        rating: r.rating,
        stock: r.stock,
      });
      expect(p.popularity).toBe(Math.round(r.rating * (r.reviews?.length ?? 1) * 10));
    }
  });

  it.skipIf(!present)("writes its own words, not DummyJSON's, and says what the source knows", () => {
    const byId = new Map(source.map((r) => [String(r.id), r]));
    for (const p of PRODUCTS) {
      const r = byId.get(p.id)!;
      expect(p.description).not.toBe(r.description);
      const copied = [...shingles(p.description, p.title)].filter((run) => shingles(r.description, r.title).has(run));
      expect(copied, `${p.id} copies DummyJSON`).toEqual([]);
      expect(p.description, `${p.id} gives the rating`).toContain(`${(Math.round(p.rating * 10) / 10).toFixed(1)} out of 5`);
      if (r.brand && !p.title.toLowerCase().startsWith(r.brand.toLowerCase())) expect(p.description, `${p.id} names the brand`).toContain(r.brand);
    }
  });

  it.skipIf(!present)('is what the build script writes, the same every time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-catalog-'));
    try {
      for (const name of ['a.json', 'b.json']) {
        const run = spawnSync(process.execPath, [script, join(dir, name)], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
      }
      const first = readFileSync(join(dir, 'a.json'), 'utf8');
      expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(first);
      expect(first).toBe(readFileSync(committed, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
