/**
 * Shown items' display fields, read from catalog shards in real local KV: an isolate keeps the rows
 * it read, so the items a model keeps recommending cost no KV read after the first decision that
 * showed them, however many shards a million-item catalog spreads them over.
 */
import { env } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeCatalog } from '../../edge-worker/src/catalog/catalog';
import { openCore } from '../../edge-worker/src/catalog/core';
import { type ShardStore, forgetShards, itemDetails, keyOfText } from '../../edge-worker/src/catalog/shards';

const items = Array.from({ length: 3000 }, (_, i) => ({
  id: `sku-${i}`,
  title: `Item ${i}`,
  category: `c${i % 7}`,
  price: 10 + i,
  rating: 4,
  stock: 5,
  popularity: 3000 - i,
  url: `/p/${i}`,
  image: `/i/${i}.jpg`,
}));

/** The real KV namespace, counting the shard keys each bulk read asks for. */
function countingKv(): ShardStore & { keysRead: string[][] } {
  const keysRead: string[][] = [];
  return {
    keysRead,
    get: (keys, type) => {
      keysRead.push([...keys]);
      return env.MODELS.get(keys, type);
    },
  };
}

let core: ReturnType<typeof openCore>;

beforeEach(async () => {
  await reset();
  forgetShards();
  const encoded = encodeCatalog(items);
  await Promise.all(encoded.shards.map((text) => env.MODELS.put(keyOfText(text), text)));
  core = openCore(encoded.core);
});

const indices = (...ids: string[]) => ids.map((id) => core.indexOf(id));

describe('shown items’ display fields', () => {
  it('come from their shards once, then from the rows this isolate kept', async () => {
    const kv = countingKv();
    const shown = indices('sku-1', 'sku-500', 'sku-2999');
    const first = await itemDetails(kv, core, shown);
    expect([...first.values()].map((d) => d.title)).toEqual(['Item 1', 'Item 500', 'Item 2999']);
    expect(kv.keysRead).toHaveLength(1);
    expect(new Set(kv.keysRead[0]).size).toBe(new Set(shown.map((i) => core.shardKey(core.shardOf(i)))).size);

    const again = await itemDetails(kv, core, shown);
    expect([...again.values()]).toEqual([...first.values()]);
    expect(kv.keysRead).toHaveLength(1);

    await itemDetails(kv, core, indices('sku-1', 'sku-42'));
    expect(kv.keysRead.slice(1)).toEqual([[core.shardKey(core.shardOf(core.indexOf('sku-42')))]]);
  });

  it('stay cached when the shards holding them would not fit in the cache (rows are kept, not whole shards)', async () => {
    // 6,000 items with 2 KB titles: ~12 MB of shard text, more than the 8 MiB an isolate keeps.
    const large = Array.from({ length: 6000 }, (_, i) => ({ ...items[i % items.length]!, id: `big-${i}`, title: `${i} `.padEnd(2000, 'x') }));
    const encoded = encodeCatalog(large);
    expect(encoded.shards.reduce((sum, text) => sum + text.length, 0)).toBeGreaterThan(8 * 1024 * 1024);
    await Promise.all(encoded.shards.map((text) => env.MODELS.put(keyOfText(text), text)));
    const big = openCore(encoded.core);
    // One shown item from every shard.
    const perShard = new Map<number, number>();
    for (let i = 0; i < big.size; i++) if (!perShard.has(big.shardOf(i))) perShard.set(big.shardOf(i), i);
    expect(perShard.size).toBe(encoded.shards.length);
    const kv = countingKv();
    await itemDetails(kv, big, perShard.values());
    expect(kv.keysRead.flat()).toHaveLength(perShard.size);
    const again = await itemDetails(kv, big, perShard.values());
    expect(kv.keysRead.flat()).toHaveLength(perShard.size);
    expect(again.get(perShard.get(0)!)!.title.startsWith(big.idAt(perShard.get(0)!).slice(4))).toBe(true);
  });

  it('are read again after the isolate forgets them, and a shard KV lacks is named', async () => {
    const kv = countingKv();
    await itemDetails(kv, core, indices('sku-7'));
    forgetShards();
    await itemDetails(kv, core, indices('sku-7'));
    expect(kv.keysRead).toHaveLength(2);
    const key = core.shardKey(core.shardOf(core.indexOf('sku-8')));
    await env.MODELS.delete(key);
    forgetShards();
    await expect(itemDetails(kv, core, indices('sku-8'))).rejects.toThrow(`its shard ${key} is missing`);
  });
});
