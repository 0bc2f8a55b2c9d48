/**
 * The catalog as a merchant runs it, in workerd with real local KV: stock and
 * price changes reach the next decision without republishing, fold into a new
 * version, and are refused clearly when wrong; a catalog published in parts
 * serves; a catalog stored in the old JSON format keeps serving and migrates;
 * a damaged one is refused with a 503 that names the problem.
 */
import { env } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import { checkCatalog } from '../../edge-worker/src/catalog/catalog';
import { encodeCore, isCore, openCore, type CoreLayout } from '../../edge-worker/src/catalog/core';
import { corePartKey, deltaKey, forgetPublished, pointerKey, publishCatalog, versionKey, type CatalogPatch, type Change } from '../../edge-worker/src/published/published';
import { splitParts } from '../../edge-worker/src/published/parts';
import type { DecideResponse, DecidedItem } from '../../sdk/src/wire';
import { call, post, seedModels } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const admin = (method: string, path: string, body?: BodyInit, type = 'application/json') =>
  call(path, { method, body, headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': type } });

async function ok<T>(res: Response): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** What a new visitor is shown on the home page. */
async function popular(): Promise<DecidedItem[]> {
  const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
  return (await ok<DecideResponse>(res)).slots.recommended!.items;
}

const patch = (changes: unknown) => admin('PATCH', '/v1/admin/catalog', JSON.stringify(changes));
const activeCatalog = async () => (await env.MODELS.get(pointerKey('catalog'), 'text'))!;
const shardKeys = async () => new Set((await env.MODELS.list({ prefix: 'catalog-shard:' })).keys.map((key) => key.name));

describe('stock and price changes', () => {
  it('take an item out of stock out of the next decision, and bring it back when restocked', async () => {
    const [first] = await popular();
    const done = await ok<CatalogPatch>(await patch([{ id: first!.id, stock: 0 }]));
    expect(done).toMatchObject({ version: await activeCatalog(), changed: 1, pending: 1, compactedFrom: null });
    expect((await popular()).map((item) => item.id)).not.toContain(first!.id);
    await ok(await patch([{ id: first!.id, stock: 5 }]));
    expect((await popular())[0]!.id).toBe(first!.id);
  });

  it('reach isolates that did not make them once they re-read the pointer', async () => {
    const [first] = await popular();
    // As another isolate's PATCH leaves KV: this isolate still serves its copy until it re-reads (within 10 s).
    await env.MODELS.put(deltaKey(await activeCatalog()), JSON.stringify({ [first!.id]: { stock: 0 } }));
    expect((await popular())[0]!.id).toBe(first!.id);
    forgetPublished();
    expect((await popular()).map((item) => item.id)).not.toContain(first!.id);
  });

  it('show a new price in the next decision, everything else as published', async () => {
    const [first] = await popular();
    await ok(await patch([{ id: first!.id, price: 1.25 }]));
    const [again] = await popular();
    expect(again).toEqual({ ...first, price: 1.25 });
  });

  it('are idempotent: the same changes again change nothing', async () => {
    const [first] = await popular();
    const changes = [{ id: first!.id, stock: 0, price: 3 }];
    await ok(await patch(changes));
    const stored = await env.MODELS.get(deltaKey(await activeCatalog()));
    expect(await ok<CatalogPatch>(await patch(changes))).toMatchObject({ changed: 0, pending: 1 });
    expect(await env.MODELS.get(deltaKey(await activeCatalog()))).toBe(stored);
  });

  it('are refused whole with a 400 naming every unknown id or bad value', async () => {
    const id = catalogFeed()[0]!.id;
    const unknown = await patch([{ id, stock: 0 }, { id: 'no-such-sku', stock: 1 }]);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'unknown_item', message: expect.stringContaining('does not hold "no-such-sku"'), issues: [{ path: '1.id', message: expect.stringContaining('no-such-sku') }] },
    });
    for (const bad of [[{ id, stock: -1 }], [{ id, price: 'cheap' }], [{ id }], [{ id, stock: 1.5 }], [{ id, colour: 'red', stock: 1 }], []]) {
      const res = await patch(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_body' } });
    }
    expect(await env.MODELS.get(deltaKey(await activeCatalog()))).toBeNull();
    expect((await popular()).length).toBe(4);
  });

  it('fold into a new catalog version that rewrites only the shards they touch, and serves the same', async () => {
    const [first, second] = await popular();
    await ok(await patch([{ id: first!.id, stock: 0 }, { id: second!.id, price: 2 }]));
    const served = await popular();
    const before = await activeCatalog();
    const shards = await shardKeys();
    const folded = await ok<CatalogPatch>(await admin('POST', '/v1/admin/catalog/compact'));
    expect(folded).toMatchObject({ compactedFrom: before, pending: 0 });
    expect(folded.version).not.toBe(before);
    expect(await activeCatalog()).toBe(folded.version);
    expect(await env.MODELS.get(deltaKey(folded.version))).toBeNull();
    const added = [...(await shardKeys())].filter((key) => !shards.has(key));
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.length).toBeLessThanOrEqual(2);
    forgetPublished();
    expect(await popular()).toEqual(served);
    // Exactly what publishing the changed catalog would have stored.
    const changed = catalogFeed().map((item) => (item.id === first!.id ? { ...item, stock: 0 } : item.id === second!.id ? { ...item, price: 2 } : item));
    expect(publishCatalog(changed).at(-1)!.value).toBe(folded.version);
  });

  it('fold by themselves once more than 500 items have changed', async () => {
    const shop = Array.from({ length: 600 }, (_, i) => ({ ...catalogFeed()[i % 10]!, id: `sku-${i}`, popularity: 600 - i }));
    const published = await ok<Change>(await admin('PUT', '/v1/admin/catalog', JSON.stringify(shop)));
    const pending = await ok<CatalogPatch>(await patch(shop.slice(0, 500).map(({ id }) => ({ id, price: 1 }))));
    expect(pending).toMatchObject({ version: published.version, changed: 500, pending: 500, compactedFrom: null });
    const folded = await ok<CatalogPatch>(await patch([{ id: 'sku-500', stock: 0 }]));
    expect(folded).toMatchObject({ changed: 1, pending: 0, compactedFrom: published.version });
    expect(await activeCatalog()).toBe(folded.version);
    const items = await popular();
    expect(items.map((item) => item.price)).toEqual([1, 1, 1, 1]);
  });
});

describe('catalog formats', () => {
  it('publishes a catalog sent in parts: shards checked against their keys, then the core', async () => {
    const renamed = catalogFeed().map((item) => ({ ...item, title: `Renamed ${item.title}` }));
    const entries = publishCatalog(renamed);
    const version = entries.at(-1)!.value as string;
    const shards = entries.filter((entry) => entry.key.startsWith('catalog-shard:')).map(({ key, value }) => ({ key, value }));
    const forged = await admin('PUT', '/v1/admin/catalog/parts', JSON.stringify([{ key: shards[0]!.key, value: shards[1]!.value }]));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'invalid_catalog', message: expect.stringContaining('does not hash') } });
    expect(await ok(await admin('PUT', '/v1/admin/catalog/parts', JSON.stringify(shards)))).toEqual({ stored: shards.length });
    const core = entries.find((entry) => entry.key === versionKey('catalog', version))!.value as Uint8Array;
    const wrongVersion = await admin('PUT', '/v1/admin/catalog?version=0123456789abcdef', core, 'application/octet-stream');
    expect(wrongVersion.status).toBe(400);
    expect(await ok<Change>(await admin('PUT', `/v1/admin/catalog?version=${version}`, core, 'application/octet-stream'))).toMatchObject({ version, stored: true, changed: true });
    expect((await popular()).every((item) => item.title.startsWith('Renamed '))).toBe(true);
  });

  it('lists the shards it holds, so that an upload in parts sends only the ones that changed', async () => {
    const seeded = publishCatalog(catalogFeed()).filter((entry) => entry.key.startsWith('catalog-shard:')).map((entry) => entry.key);
    const { keys, cursor } = await ok<{ keys: string[]; cursor: string | null }>(await admin('GET', '/v1/admin/catalog/shards'));
    expect(new Set(keys)).toEqual(new Set(seeded));
    expect(cursor).toBeNull();
    const renamed = catalogFeed().map((item, i) => (i === 0 ? { ...item, title: 'Renamed' } : item));
    const changed = publishCatalog(renamed).filter((entry) => entry.key.startsWith('catalog-shard:') && !keys.includes(entry.key));
    expect(changed).toHaveLength(1);
  });

  it('keeps serving a catalog stored in the old JSON format, and activating it stores it in the new one', async () => {
    await env.MODELS.put(versionKey('catalog', 'old-json'), JSON.stringify(catalogFeed()));
    await env.MODELS.put(pointerKey('catalog'), 'old-json');
    forgetPublished();
    const items = await popular();
    expect(items).toHaveLength(4);
    expect(items.every((item) => item.title && item.url.startsWith('/p/'))).toBe(true);
    const migrated = await ok<Change>(await admin('POST', '/v1/admin/catalog/activate', JSON.stringify({ version: 'old-json' })));
    expect(migrated.version).not.toBe('old-json');
    expect(migrated.version).toBe(publishCatalog(catalogFeed()).at(-1)!.value);
    expect(isCore(new Uint8Array((await env.MODELS.get(versionKey('catalog', migrated.version), 'arrayBuffer'))!))).toBe(true);
    expect(await popular()).toEqual(items);
  });

  it('keeps serving a catalog published in format 2 (ids whole, with their offsets), stock changes included', async () => {
    const shown = await popular();
    // The same catalog as format 2 stored it: the shards (content-addressed) are the ones already published.
    const current = openCore(new Uint8Array((await env.MODELS.get(versionKey('catalog', await activeCatalog()), 'arrayBuffer'))!));
    const hashes = (layout: CoreLayout) => Uint32Array.from({ length: 2 * layout.shardCount }, (_, k) => parseInt(current.shardKey(k >> 1).slice(-16).slice(8 * (k & 1), 8 * (k & 1) + 8), 16));
    const older = encodeCore(checkCatalog(catalogFeed()), hashes, 2).bytes;
    expect(older.byteLength).toBeGreaterThan(current.bytes.byteLength);
    await env.MODELS.put(versionKey('catalog', 'format-2'), older);
    await env.MODELS.put(pointerKey('catalog'), 'format-2');
    forgetPublished();
    expect(await popular()).toEqual(shown);
    await ok(await patch([{ id: shown[0]!.id, stock: 0 }]));
    expect((await popular()).map((item) => item.id)).not.toContain(shown[0]!.id);
  });

  it("serves a core stored in parts of another size (2 MiB until 2026-12-02), joined as it is read, with or without the pointer's hint", async () => {
    const shown = await popular();
    const core = new Uint8Array((await env.MODELS.get(versionKey('catalog', await activeCatalog()), 'arrayBuffer'))!);
    const parts = splitParts(core, 8 * Math.ceil(core.byteLength / 32));
    expect(parts.length).toBe(4);
    for (const [hint, version] of [[parts.length, 'in-parts-hinted'], [1, 'in-parts']] as const) {
      for (const [i, part] of parts.entries()) await env.MODELS.put(i ? corePartKey(version, i) : versionKey('catalog', version), part);
      await env.MODELS.put(pointerKey('catalog'), version, hint > 1 ? { metadata: { parts: hint } } : {});
      forgetPublished();
      expect(await popular()).toEqual(shown);
    }
  });

  it('refuses a damaged catalog with a 503 that names the problem, never a mis-read', async () => {
    const core = publishCatalog(catalogFeed()).find((entry) => entry.key.startsWith('catalog:') && !entry.pointer)!.value as Uint8Array;
    const cases: Array<[Uint8Array, RegExp]> = [
      // Shorter than its header says: the rest would be a second part, which is not there.
      [core.subarray(0, core.byteLength - 100), /catalog core: part 2 of 2 is missing/],
      [new TextEncoder().encode('{"items": []}'), /not a Rapport catalog: neither a binary core \(format 3/],
      [Uint8Array.from([...core.subarray(0, 4), 9, 0, 0, 0, ...core.subarray(8)]), /format 9; this Worker reads formats 2 and 3/],
    ];
    for (const [i, [bytes, problem]] of cases.entries()) {
      await env.MODELS.put(versionKey('catalog', `damaged-${i}`), bytes);
      await env.MODELS.put(pointerKey('catalog'), `damaged-${i}`);
      forgetPublished();
      const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'unusable_published_data', message: expect.stringMatching(problem) } });
    }
  });

  it('answers 503 when the stock and price changes cannot be read, rather than show what may be sold out', async () => {
    await env.MODELS.put(deltaKey(await activeCatalog()), '{"sku-1": ');
    forgetPublished();
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'unusable_published_data', message: expect.stringContaining('stock and price changes are unreadable') } });
  });

  it('answers 503 naming a shard that is missing', async () => {
    for (const key of await shardKeys()) await env.MODELS.delete(key);
    forgetPublished();
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'unusable_published_data', message: expect.stringMatching(/shard catalog-shard:[0-9a-f]{16} is missing/) } });
  });
});
