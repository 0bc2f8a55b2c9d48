/** POST /v1/decide in workerd: rules, reasons, variants, fallbacks and published versions. */
import { env } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import type { DecideResponse } from '../../sdk/src/wire';
import { queryFor } from '../../edge-worker/src/engine/decide';
import { loadModel, modelQuery, recommend } from '../../edge-worker/src/model/recommend';
import type { Profile } from '../../edge-worker/src/profile/profile';
import { forgetPublished, loadActiveModel, modelPartKey, modelShardKey, optionalModel, pointerKey, publishCatalog, publishExperiments, publishModel, publishSlots, versionKey } from '../../edge-worker/src/published/published';
import { decodeArtifact, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { shardOf, shardsOf } from '../../edge-worker/src/model/shards';
import { position } from '../../edge-worker/src/experiments/assign';
import type { PublishedStore } from '../../edge-worker/src/published/isolate-cache';
import { collectNow, demoModel, newId, newVisitor, post, publish, seedModels, views } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const catalog = catalogFeed();
const inCategory = (category: string) => catalog.filter((p) => p.category === category).map((p) => p.id);
const categoryOf = (id: string) => catalog.find((p) => p.id === id)?.category;

async function decide(body: object): Promise<DecideResponse> {
  const res = await post('/v1/decide', { v: 1, consent: ['analytics', 'personalization'], ...body });
  expect(res.status).toBe(200);
  return res.json();
}

describe('POST /v1/decide', () => {
  it('answers a new visitor with popular items and an honest heading', async () => {
    const decision = await decide({ slots: [{ id: 'recommended' }] });
    const slot = decision.slots.recommended!;
    expect(decision.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decision.model).toBe(`rapport-rerank@${demoModel().version}`);
    expect(slot.title).toBe('Popular right now');
    expect(slot.items).toHaveLength(4);
    expect(slot.items.every((i) => i.reason === 'Popular in the shop right now')).toBe(true);
  });

  it('treats a visitor id it has never seen like a new visitor', async () => {
    const decision = await decide({ vid: newId('v'), slots: [{ id: 'recommended' }] }); // not an id this Worker issued
    expect(decision.slots.recommended!.title).toBe('Popular right now');
    expect(decision.slots.recommended!.items).toHaveLength(4);
  });

  it('fills "complete your cart" from what is in the cart, never with the cart itself', async () => {
    const vid = await newVisitor();
    const [first, second] = inCategory('laptops');
    const ev = (item: string) => ({ id: newId('ev'), type: 'add_to_cart', item, ts: Date.now() });
    await collectNow({ v: 1, vid, sid: 'session-0001', consent: ['personalization'], events: [ev(first!), ev(second!)] });
    const items = (await decide({ vid, slots: [{ id: 'complete-cart' }] })).slots['complete-cart']!.items;
    expect(items).toHaveLength(4);
    expect(items.map((i) => i.id)).not.toContain(first);
    expect(items.map((i) => i.id)).not.toContain(second);
    expect(items[0]!.reason).not.toMatch(/^Popular/);
  });

  it('recommends from what a visitor viewed, and says why', async () => {
    const vid = await newVisitor();
    const before = await decide({ vid, slots: [{ id: 'recommended' }] });
    const laptops = inCategory('laptops');
    await collectNow(views(vid, laptops.slice(0, 3)));

    const after = await decide({ vid, slots: [{ id: 'recommended' }] });
    const items = after.slots.recommended!.items;
    expect(items.map((i) => i.id)).not.toEqual(before.slots.recommended!.items.map((i) => i.id));
    expect(items.slice(0, 2).map((i) => i.category)).toEqual(['laptops', 'laptops']);
    expect(items[0]!.reason).not.toMatch(/^Popular/);
    expect(after.slots.recommended!.title).toBe('Recommended for you');
  });

  it("answers a fresh isolate's first decision without waiting for session-kNN's postings, and builds them after it", async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, inCategory('laptops').slice(0, 3)));
    // As a fresh isolate: the model is read from KV and loaded again.
    forgetPublished();
    const first = await decide({ vid, slots: [{ id: 'recommended' }] });
    const loaded = optionalModel(await loadActiveModel(env.MODELS));
    // Loaded with its postings deferred, and built once a decision answered.
    expect(loaded.model?.artifact.index.postingsBuilt).toBeTypeOf('function');
    await vi.waitFor(() => expect(loaded.model!.artifact.index.postingsBuilt!()).toBe(true));
    const again = await decide({ vid, slots: [{ id: 'recommended' }] });
    expect(first.slots.recommended!.items[0]!.reason).not.toMatch(/^Popular/);
    expect(again.slots).toEqual(first.slots);
  });

  it('ranks exactly as the model does for the same visitor state (what eval measures)', async () => {
    await publish(publishSlots({ wide: { kind: 'items', title: 'All', size: 12, strategy: 'personal', maxPerCategory: 12 } }));
    const vid = await newVisitor();
    const viewed = [...inCategory('laptops').slice(0, 2), inCategory('smartphones')[0]!];
    await collectNow(views(vid, viewed));
    const served = (await decide({ vid, slots: [{ id: 'wide' }] })).slots.wide!.items.map((i) => i.id);

    const model = loadModel(demoModel().bytes);
    const profile = { recent: viewed.map((item) => [item, 0, 0]) } as unknown as Profile;
    const direct = recommend(model, modelQuery(model, queryFor('personal', profile, undefined)), 36)
      .filter((r) => !r.fill)
      .map((r) => model.itemIdOf(r.item))
      .filter((id) => catalog.find((p) => p.id === id && p.stock > 0))
      .slice(0, served.length);
    expect(served.length).toBeGreaterThan(4);
    expect(served).toEqual(direct);
  });

  it("keeps the model's picks that popularity explains best: only padding is padding", async () => {
    await publish(publishSlots({ wide: { kind: 'items', title: 'Similar', size: 12, strategy: 'similar', maxPerCategory: 12 } }));
    const model = loadModel(demoModel().bytes);
    const inStock = (id: string) => catalog.some((p) => p.id === id && p.stock > 0);
    // A product page whose model answer holds a pick explained by popularity (the demo model has a few).
    const page = catalog.find((p) => recommend(model, modelQuery(model, [p.id]), 12).some((r) => !r.fill && r.reason === 'popular' && inStock(model.itemIdOf(r.item))));
    expect(page, 'the demo model has no popularity-explained pick to check').toBeDefined();
    const picks = recommend(model, modelQuery(model, [page!.id]), 36).filter((r) => !r.fill);
    const pick = model.itemIdOf(picks.find((r) => r.reason === 'popular' && inStock(model.itemIdOf(r.item)))!.item);

    const items = (await decide({ slots: [{ id: 'wide' }], context: { item: page!.id } })).slots.wide!.items;
    const expected = picks.map((r) => model.itemIdOf(r.item)).filter((id) => id !== page!.id && inStock(id)).slice(0, items.length);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(items.find((i) => i.id === pick)?.reason).toMatch(/^Popular in /);
  });

  it('fills "bought together" from orders: a phone page shows accessories bought with it, and says so', async () => {
    const phone = catalog.find((p) => p.category === 'smartphones')!;
    const { slots } = await decide({ slots: [{ id: 'together' }], context: { item: phone.id } });
    const items = slots.together!.items;
    const bought = items.filter((i) => i.reason === `Often bought together with ${phone.title}`);
    expect(bought.length).toBeGreaterThan(0);
    expect(bought.every((i) => i.category === 'mobile-accessories')).toBe(true);
    // Orders lead; views of the same sessions fill the rest of the slot.
    expect(items.slice(0, bought.length)).toEqual(bought);
    expect(items).toHaveLength(4);
  });

  it('decides all slots of a page in one request without repeating an item', async () => {
    const decision = await decide({ slots: [{ id: 'similar' }, { id: 'recommended' }], context: { item: '1' } });
    const ids = [...decision.slots.similar!.items, ...decision.slots.recommended!.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('1');
    expect(decision.slots.similar!.items[0]!.category).toBe(categoryOf('1'));
  });

  it('honours a smaller max per slot', async () => {
    const decision = await decide({ slots: [{ id: 'recommended', max: 2 }] });
    expect(decision.slots.recommended!.items).toHaveLength(2);
  });

  it('never recommends what is in the cart, bought or out of stock', async () => {
    const vid = await newVisitor();
    const laptops = inCategory('laptops');
    const [carted, bought] = laptops;
    const ev = (type: string, extra: object) => ({ id: newId('ev'), type, ts: Date.now(), ...extra });
    await collectNow({
      v: 1,
      vid,
      sid: 'session-0001',
      consent: ['personalization'],
      events: [...views(vid, laptops).events, ev('add_to_cart', { item: carted }), ev('purchase', { items: [bought] })],
    });
    // Take the most popular laptop out of stock.
    const soldOut = laptops.filter((id) => id !== carted && id !== bought)[0]!;
    await publish(publishCatalog(catalog.map((p) => (p.id === soldOut ? { ...p, stock: 0 } : p))));

    const ids = (await decide({ vid, slots: [{ id: 'recommended', max: 4 }] })).slots.recommended!.items.map((i) => i.id);
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain(carted);
    expect(ids).not.toContain(bought);
    expect(ids).not.toContain(soldOut);
    // Diversity: however strong the interest, at most half of a 4-item slot is one category.
    expect(ids.filter((id) => categoryOf(id) === 'laptops')).toHaveLength(2);
  });

  it('falls back to popularity when no model is published, and says so', async () => {
    await env.MODELS.delete(pointerKey('model'));
    forgetPublished();
    const decision = await decide({ slots: [{ id: 'recommended' }] });
    expect(decision.model).toBe('popularity');
    expect(decision.fallback).toBe('no active model published');
    const top = [...catalog].filter((p) => p.stock > 0).sort((a, b) => b.popularity - a.popularity)[0]!;
    expect(decision.slots.recommended!.items[0]!.id).toBe(top.id);
  });

  it('falls back to popularity when the model is corrupt, and says so', async () => {
    const { version, bytes } = demoModel();
    await env.MODELS.put(versionKey('model', version), bytes.slice(0, 1000));
    forgetPublished();
    const decision = await decide({ slots: [{ id: 'recommended' }] });
    expect(decision.model).toBe('popularity');
    expect(decision.fallback).toMatch(new RegExp(`^model ${version} is unusable: `));
    expect(decision.slots.recommended!.items).toHaveLength(4);
  });

  it('serves a model stored in parts, and falls back naming the part when one is missing', async () => {
    const { version, bytes } = demoModel();
    const entries = publishModel(bytes, 16 * 1024);
    const parts = entries.filter((e) => !e.pointer && !e.key.startsWith('model-shard:'));
    // The core in parts, the rows in shards.
    const { shards } = decodeArtifact(bytes);
    expect(parts.length).toBe(Math.ceil(shards!.rowsStart / (16 * 1024)));
    expect(entries.filter((e) => e.key.startsWith('model-shard:'))).toHaveLength(shards!.count);
    await publish(entries);
    expect((await decide({ slots: [{ id: 'recommended' }] })).model).toBe(`rapport-rerank@${version}`);
    await env.MODELS.delete(modelPartKey(version, 3));
    forgetPublished();
    const decision = await decide({ slots: [{ id: 'recommended' }] });
    expect(decision.model).toBe('popularity');
    expect(decision.fallback).toBe(`model ${version} is unusable: part 4 of ${parts.length} is missing`);
  });

  it('reads a model in parts however its pointer counts them: the count is a hint, the first part says how long it is', async () => {
    const { version, bytes } = demoModel();
    const entries = publishModel(bytes, 16 * 1024);
    const parts = entries.filter((e) => !e.pointer && !e.key.startsWith('model-shard:')).length;
    expect(entries.find((e) => e.pointer)!.metadata).toEqual({ parts, shardItems: decodeArtifact(bytes).shards!.shardItems });
    await publish(entries);
    for (const metadata of [{ parts }, { parts: 2 }, { parts: 16 }, { parts: 1e9 }, { parts: 'all' }, null]) {
      await env.MODELS.put(pointerKey('model'), version, metadata ? { metadata } : {});
      forgetPublished();
      expect((await decide({ slots: [{ id: 'recommended' }] })).model, JSON.stringify(metadata)).toBe(`rapport-rerank@${version}`);
    }
  });

  it('reads a model’s rows shard by shard: a decision needs only the shards of what it asks about, and names one that is missing', async () => {
    // The demo model with small shards, so that its products' rows lie in many.
    const bytes = encodeArtifact({ ...decodeArtifact(demoModel().bytes), modelVersion: 'sharded-1' }, { shardBytes: 2048 });
    const { shards } = decodeArtifact(bytes);
    expect(shards!.count).toBeGreaterThan(8);
    await publish(publishModel(bytes));
    const vid = await newVisitor();
    const viewed = inCategory('laptops').slice(0, 3);
    await collectNow(views(vid, viewed));
    const everyShard = await decide({ vid, slots: [{ id: 'recommended' }] });
    expect(everyShard.model).toBe('rapport-rerank@sharded-1');
    expect(everyShard.slots.recommended!.items[0]!.reason).not.toMatch(/^Popular/);

    // Every shard but those of the viewed items gone: a fresh isolate answers the same.
    const model = loadModel(bytes);
    const needed = new Set(shardsOf(shards!, modelQuery(model, viewed)));
    expect(needed.size).toBeLessThan(shards!.count / 2);
    const others = Array.from({ length: shards!.count }, (_, k) => k).filter((k) => !needed.has(k));
    const stored = new Map(await Promise.all(others.map(async (k) => [k, (await env.MODELS.get(modelShardKey('sharded-1', k), 'arrayBuffer'))!] as const)));
    for (const k of others) await env.MODELS.delete(modelShardKey('sharded-1', k));
    forgetPublished();
    expect(await decide({ vid, slots: [{ id: 'recommended' }] })).toMatchObject({ model: 'rapport-rerank@sharded-1', slots: everyShard.slots });

    // A product whose shard is gone: popularity, naming it; once it is back, the model again.
    const product = catalog.find((p) => !needed.has(shardOf(shards!, model.idOf(p.id)!)))!;
    const missing = shardOf(shards!, model.idOf(product.id)!);
    const page = { vid, context: { item: product.id }, slots: [{ id: 'similar' }] };
    const without = await decide(page);
    expect(without.model).toBe('popularity');
    expect(without.fallback).toBe(`model sharded-1 is unusable: its shard ${missing} of ${shards!.count} is missing`);
    expect(without.slots.similar!.items.length).toBeGreaterThan(0);
    // A visitor in the holdout is answered without the model: no shard is read, and no problem named.
    await publish(publishExperiments({ holdout: { share: 0.5, seed: 'shard-holdout' }, experiments: [] }));
    let held = await newVisitor();
    while (position('shard-holdout', held) >= 0.5) held = await newVisitor();
    const heldAnswer = await decide({ ...page, vid: held });
    expect(heldAnswer.model).toBe('popularity');
    expect(heldAnswer.fallback).toBeUndefined();
    expect(heldAnswer.slots.similar!.items.length).toBeGreaterThan(0);
    await publish(publishExperiments({ holdout: { share: 0 }, experiments: [] }));
    await env.MODELS.put(modelShardKey('sharded-1', missing), stored.get(missing)!);
    const back = await decide(page);
    expect(back.model).toBe('rapport-rerank@sharded-1');
    expect(back.fallback).toBeUndefined();
  });

  it('reads the shard of a page’s product beside the model’s core in a fresh isolate, where the pointer says how many items a shard holds', async () => {
    const bytes = encodeArtifact({ ...decodeArtifact(demoModel().bytes), modelVersion: 'sharded-2' }, { shardBytes: 2048 });
    const { shards } = decodeArtifact(bytes);
    const entries = publishModel(bytes);
    const pointer = entries.find((e) => e.pointer)!;
    expect(pointer.metadata).toEqual({ parts: 1, shardItems: shards!.shardItems });
    await publish(entries);
    // Every KV read of the model's values, when asked and when answered, in order.
    const log: string[] = [];
    const kv: PublishedStore = {
      get: ((key: string, type: 'arrayBuffer') => {
        log.push(`asked ${key}`);
        return env.MODELS.get(key, type).then((value) => (log.push(`answered ${key}`), value));
      }) as PublishedStore['get'],
      getWithMetadata: (key, type) => env.MODELS.getWithMetadata(key, type),
    };
    const product = catalog[catalog.length - 1]!.id;
    const shardKey = modelShardKey('sharded-2', shardOf(shards!, Number(product)));
    const load = async () => {
      forgetPublished();
      log.length = 0;
      const loaded = await loadActiveModel(kv, [product]);
      if (loaded.state !== 'ok') throw new Error(`not loaded: ${loaded.state}`);
      await loaded.value.readRows!(modelQuery(loaded.value, [product]));
      return loaded.value;
    };

    const model = await load();
    // Asked for before the core was answered, and read once.
    expect(log.indexOf(`asked ${shardKey}`)).toBeGreaterThanOrEqual(0);
    expect(log.indexOf(`asked ${shardKey}`)).toBeLessThan(log.indexOf(`answered ${versionKey('model', 'sharded-2')}`));
    expect(log.filter((line) => line === `asked ${shardKey}`)).toHaveLength(1);
    expect(recommend(model, modelQuery(model, [product]), 8)).toEqual(recommend(loadModel(bytes), modelQuery(model, [product]), 8));

    // Without the hint (a pointer written before it), the shard is read once the core is.
    await env.MODELS.put(pointerKey('model'), 'sharded-2', { metadata: { parts: 1 } });
    await load();
    expect(log.indexOf(`asked ${shardKey}`)).toBeGreaterThan(log.indexOf(`answered ${versionKey('model', 'sharded-2')}`));
  });

  it('switches to a newly published model version without a redeploy', async () => {
    const { bytes } = demoModel();
    await env.MODELS.put(versionKey('model', 'v2'), bytes);
    await env.MODELS.put(pointerKey('model'), 'v2');
    forgetPublished();
    expect((await decide({ slots: [{ id: 'recommended' }] })).model).toBe('rapport-rerank@v2');
  });

  it('answers 503 with a JSON error before any catalog is published', async () => {
    await env.MODELS.delete(pointerKey('catalog'));
    forgetPublished();
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'not_published' } });
  });

  it('answers 503 naming the problem when the catalog pointer names a missing snapshot', async () => {
    await env.MODELS.put(pointerKey('catalog'), 'no-such-version');
    forgetPublished();
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'unusable_published_data', message: expect.stringContaining('no-such-version is missing') } });
  });

  it('reports load, scoring and detail-reading time in Server-Timing, and what the catalog holds in memory', async () => {
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.headers.get('server-timing')).toMatch(/^load;dur=[\d.]+, score;dur=[\d.]+, details;dur=[\d.]+, catalog;desc="core=\d+ shards=\d+", total;dur=[\d.]+$/);
  });

  it('shows a first-time visitor the welcome variant', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['1']));
    const { slots } = await decide({ vid, slots: [{ id: 'hero' }] });
    expect(slots.hero!.items).toEqual([]);
    expect(slots.hero!.variant).toMatchObject({ id: 'welcome', reason: 'Shown on a first visit' });
  });

  it("shows a returning visitor new things from their favourite category, and says why", async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, inCategory('laptops').slice(0, 2)));
    await collectNow({ ...views(vid, inCategory('laptops').slice(2, 3)), sid: 'session-0002' });
    const { slots } = await decide({ vid, slots: [{ id: 'hero' }, { id: 'recommended' }] });
    expect(slots.hero!.variant).toEqual({
      id: 'favourite-category',
      title: 'Welcome back: more laptops for you',
      body: 'Fresh picks from the category you keep coming back to.',
      href: '/c/laptops',
      reason: 'Because you often look at laptops',
    });
    expect(slots.recommended!.items).toHaveLength(4);
  });

  it('reminds a returning visitor of the items they left in the cart, and stops once they bought them', async () => {
    const vid = await newVisitor();
    const [item] = inCategory('laptops');
    const event = (type: string, extra: object) => ({ id: newId('ev'), type, ts: Date.now(), ...extra });
    await collectNow({ ...views(vid, [item!]), events: [event('add_to_cart', { item, qty: 1 })] });
    // Still in the first session: the cart is no reason to nudge yet.
    expect((await decide({ vid, slots: [{ id: 'hero' }] })).slots.hero!.variant!.id).toBe('welcome');
    await collectNow({ ...views(vid, inCategory('laptops').slice(1, 2)), sid: 'session-0002' });
    expect((await decide({ vid, slots: [{ id: 'hero' }] })).slots.hero!.variant).toEqual({
      id: 'cart-waiting',
      title: 'Your cart is still waiting',
      body: 'The things you picked last time are saved. Pick up where you left off.',
      href: '/cart',
      reason: 'Because you came back with items still in your cart',
    });
    await collectNow({ ...views(vid, []), sid: 'session-0002', events: [event('purchase', { items: [item] })] });
    expect((await decide({ vid, slots: [{ id: 'hero' }] })).slots.hero!.variant!.id).toBe('favourite-category');
  });

  it('answers 503 naming the problem when the published slot configuration is invalid', async () => {
    // As an older publish step could have left it: written straight to KV, past publishSlots' check.
    await env.MODELS.put(versionKey('slots', 'broken'), JSON.stringify({ recommended: { title: 'x', size: 0, strategy: 'personal' } }));
    await env.MODELS.put(pointerKey('slots'), 'broken');
    forgetPublished();
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'unusable_published_data', message: expect.stringContaining('recommended.size') } });
  });
});
