/**
 * The catalog at scale: a 1 M-item catalog publishes into values KV can hold,
 * opens in place and finds every item it holds; stock and price changes fold
 * into exactly what publishing the changed catalog would write, rewriting
 * only the shards they touch; a damaged core is refused, never mis-read.
 */
import { describe, expect, it } from 'vitest';
import { catalogIds } from '../../../edge-worker/cli/gate';
import { encodeCatalog, type CatalogItem } from '../../../edge-worker/src/catalog/catalog';
import { CORE_PART_BYTES, encodeCore, openCore, POPULAR_OVERALL, type CoreLayout } from '../../../edge-worker/src/catalog/core';
import { deltaByIndex, foldDelta, mergeDelta } from '../../../edge-worker/src/catalog/delta';
import { keyOfText, type ShardRows } from '../../../edge-worker/src/catalog/shards';
import { corePartKey, pointerKey, publishCatalog, versionKey } from '../../../edge-worker/src/published/published';

const MIB = 1024 * 1024;

/** A generated shop: SKU-like ids, 400 categories, a few per cent out of stock, a long tail of popularity. */
function generated(size: number): CatalogItem[] {
  return Array.from({ length: size }, (_, i) => ({
    id: `sku-${(i * 7919) % size}`,
    title: `Product ${i}`,
    category: `category-${i % 400}`,
    price: (i % 5000) / 10,
    rating: (i % 50) / 10,
    stock: i % 31 === 0 ? 0 : 1 + (i % 9),
    popularity: Math.floor(1_000_000 / (1 + i)),
    url: `/p/${i}`,
    image: '',
  }));
}

describe('a catalog of 1 M products', { timeout: 30_000 }, () => {
  const items = generated(1_000_000);
  const entries = publishCatalog(items);
  const version = entries.at(-1)!.value as string;
  // The core as the Worker joins it: the version's own value, then its later parts in order.
  const valueOf = (key: string) => entries.find((entry) => entry.key === key)?.value as Uint8Array | undefined;
  const parts = [valueOf(versionKey('catalog', version))!];
  for (let part; (part = valueOf(corePartKey(version, parts.length))); ) parts.push(part);
  const bytes = new Uint8Array(Buffer.concat(parts));
  const shards = entries.filter((entry) => entry.key.startsWith('catalog-shard:')).map((entry) => entry.value as string);
  const core = openCore(bytes);

  it('fits KV: a core of ~7 MB in one value (parts of at most 8 MiB), shards of a few KB each, the pointer last', () => {
    const shardBytes = shards.reduce((sum, text) => sum + text.length, 0);
    console.log(`1 M items: core ${bytes.byteLength} bytes in ${parts.length} parts, ${shards.length} shards, ${shardBytes} bytes of shards`);
    expect(core.size).toBe(1_000_000);
    // Front-coded ids (format 3): 17.4 MB with the ids whole and their offsets (format 2).
    expect(bytes.byteLength).toBeLessThan(8 * MIB);
    expect(parts.length).toBe(Math.ceil(bytes.byteLength / CORE_PART_BYTES));
    expect(parts.every((part) => part.byteLength <= CORE_PART_BYTES)).toBe(true);
    expect(shards.length).toBe(8192);
    expect(Math.max(...shards.map((text) => text.length))).toBeLessThan(64 * 1024);
    expect(entries.at(-1)).toMatchObject({ key: pointerKey('catalog'), pointer: true });
    expect(entries.at(-2)).toMatchObject({ key: versionKey('catalog', version) });
  });

  it('finds every 1000th item by its id, with its category and stock, and nothing it does not hold', () => {
    for (let i = 0; i < items.length; i += 1000) {
      const item = items[i]!;
      const index = core.indexOf(item.id);
      expect(core.idAt(index)).toBe(item.id);
      expect(core.categories[core.categoryAt(index)]).toBe(item.category);
      expect(core.inStock(index)).toBe(item.stock > 0);
    }
    expect(core.indexOf('sku-1000000')).toBe(-1);
    expect(core.indexOf('')).toBe(-1);
  });

  it('keeps the most popular items overall and per category, most popular first', () => {
    const top = Array.from(core.popular(), (i) => core.idAt(i));
    expect(top).toHaveLength(POPULAR_OVERALL);
    expect(top.slice(0, 3)).toEqual(items.slice(0, 3).map((item) => item.id));
    const k = core.categoryIndex('category-7');
    expect(Array.from(core.popular(k).subarray(0, 2), (i) => core.idAt(i))).toEqual([items[7]!.id, items[407]!.id]);
  });

  it('gives retraining the ids and the popularity order the Worker falls back on', () => {
    const { catalog, popularity } = catalogIds(bytes);
    expect(catalog).toHaveLength(1_000_000);
    expect(popularity.slice(0, 2)).toEqual([items[0]!.id, items[1]!.id]);
  });
});

describe('stock and price changes', () => {
  const items = generated(20_000);
  const before = encodeCatalog(items);
  const core = openCore(before.core);
  const rows = new Map(before.shards.map((text): [string, ShardRows] => [keyOfText(text), JSON.parse(text) as ShardRows]));

  it('fold into the same core and shards as publishing the changed catalog, rewriting only the shards they touch', async () => {
    const changes = { [items[3]!.id]: { stock: 0 }, [items[31]!.id]: { stock: 4, price: 9.5 }, [items[500]!.id]: { price: 1 } };
    const folded = await foldDelta(core, deltaByIndex(changes, core), async (keys) => new Map(keys.map((key) => [key, rows.get(key)!])));
    const changed = items.map((item) => ({ ...item, ...changes[item.id] }));
    const after = encodeCatalog(changed);
    expect(folded.core).toEqual(after.core);
    const fresh = new Set(after.shards.filter((text) => !rows.has(keyOfText(text))));
    expect(new Set(folded.shards)).toEqual(fresh);
    expect(fresh.size).toBe(3);
  });
});

describe('an item whose id is a property name of every object', () => {
  it('is changed and folded like any other item', async () => {
    const items = generated(300).map((item, i) => (i === 5 ? { ...item, id: '__proto__' } : i === 6 ? { ...item, id: 'constructor' } : item));
    const before = encodeCatalog(items);
    const core = openCore(before.core);
    const rows = new Map(before.shards.map((text): [string, ShardRows] => [keyOfText(text), JSON.parse(text) as ShardRows]));
    const { merged, unknown } = mergeDelta({}, [{ id: '__proto__', stock: 0, price: 2 }, { id: 'constructor', price: 3 }], core);
    expect(unknown).toEqual([]);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor']);
    const folded = await foldDelta(core, deltaByIndex(merged, core), async (keys) => new Map(keys.map((key) => [key, rows.get(key)!])));
    const changed = items.map((item) => (item.id === '__proto__' ? { ...item, stock: 0, price: 2 } : item.id === 'constructor' ? { ...item, price: 3 } : item));
    expect(folded.core).toEqual(encodeCatalog(changed).core);
  });
});

describe('a damaged core', () => {
  const { core } = encodeCatalog(generated(1000));

  it('is refused, naming what is wrong', () => {
    expect(() => openCore(core.subarray(0, core.byteLength - 8))).toThrow(/truncated or corrupt/);
    const renamed = core.slice();
    renamed[0] = 0x7b;
    expect(() => openCore(renamed)).toThrow(/not a Rapport catalog core/);
    const newer = core.slice();
    new DataView(newer.buffer).setUint32(4, 4, true);
    expect(() => openCore(newer)).toThrow(/format 4; this Worker reads formats 2 and 3/);
    // The second block of ids said to start past the third (the blocks' starts follow the 12-word header).
    const shuffled = core.slice();
    new DataView(shuffled.buffer).setUint32(48 + 4, 0xffffff, true);
    expect(() => openCore(shuffled)).toThrow(/id blocks are out of order/);
  });
});

describe('front-coded ids (format 3)', () => {
  // Ids that share long prefixes, are prefixes of one another, are longer than the reader's first buffer, not ASCII, or property names.
  const ids = ['a', 'ab', 'abc', 'abd', 'b', 'x'.repeat(300), `${'x'.repeat(300)}y`, 'é', 'éa', '日本', '日本語', '__proto__', 'constructor', 'sku-1', 'sku-10', 'sku-100', 'sku-11', 'sku-2'];
  const items = [...ids, ...Array.from({ length: 977 }, (_, i) => `p-${(i * 31) % 977}`)].map((id, i) => ({ id, category: `c${i % 7}`, stock: i % 5, popularity: i }));
  const hashes = (layout: CoreLayout) => new Uint32Array(2 * layout.shardCount).map((_, i) => i);
  const current = openCore(encodeCore(items, hashes).bytes);
  const previous = openCore(encodeCore(items, hashes, 2).bytes);

  it('answers every lookup as format 2 does, which is still read', () => {
    expect(current.size).toBe(items.length);
    for (let i = 0; i < items.length; i++) {
      expect(current.idAt(i)).toBe(previous.idAt(i));
      expect(current.shardOf(i)).toBe(previous.shardOf(i));
      expect(current.categoryAt(i)).toBe(previous.categoryAt(i));
      expect(current.inStock(i)).toBe(previous.inStock(i));
    }
    for (const { id } of items) {
      expect(current.indexOf(id)).toBe(previous.indexOf(id));
      expect(current.idAt(current.indexOf(id))).toBe(id);
    }
  });

  it('finds nothing for ids between, before or after the ones it holds', () => {
    for (const absent of ['', '0', 'aa', 'abcd', 'ac', 'p-', 'p-9999', 'sku-', 'sku-12', 'x'.repeat(299), `${'x'.repeat(300)}a`, 'zzz', '日', '\u{10ffff}']) {
      expect(current.indexOf(absent)).toBe(-1);
      expect(previous.indexOf(absent)).toBe(-1);
    }
  });

  it('is smaller: no offsets, and shared prefixes stored once', () => {
    expect(current.bytes.byteLength).toBeLessThan(previous.bytes.byteLength - 4 * items.length);
  });
});
