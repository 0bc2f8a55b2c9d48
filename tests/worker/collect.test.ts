/** POST /v1/collect in workerd with real KV and Durable Objects. */
import { env } from 'cloudflare:workers';
import { reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import type { Profile } from '../../edge-worker/src/profile/profile';
import type { VisitorProfile, VisitorState } from '../../edge-worker/src/profile/visitor-object';
import { forgetPublished, pointerKey } from '../../edge-worker/src/published/published';
import { collectNow, flushProfile, newId, newVisitor, post, seedModels, views, visitor } from './helpers';

const catalogIds = catalogFeed().map((p) => p.id);

beforeEach(async () => {
  await reset();
  await seedModels();
});

async function storedProfile(vid: string): Promise<Profile | null> {
  return env.PROFILES.get<Profile>(`p:${vid}`, 'json');
}

describe('POST /v1/collect', () => {
  it('folds a batch of events into the visitor profile in KV', async () => {
    const vid = await newVisitor();
    // Catalog ids 1 and 2 are beauty products, 6 is a fragrance.
    const res = await collectNow(views(vid, ['1', '2', '6']));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ vid, accepted: 3, duplicates: 0, profile: true, refused: [] });

    const profile = await storedProfile(vid);
    expect(profile?.recent.map(([item]) => item)).toEqual(['1', '2', '6']);
    expect(profile?.cats.beauty).toBeGreaterThan(profile?.cats.fragrances ?? Infinity);
    expect(profile?.n.views).toBe(3);
  });

  it('counts a resent batch once', async () => {
    const vid = await newVisitor();
    const batch = views(vid, ['1', '2']);
    await collectNow(batch);
    const again = await collectNow(batch);
    expect(await again.json()).toEqual({ vid, accepted: 0, duplicates: 2, profile: true, refused: [] });
    expect((await storedProfile(vid))?.n.views).toBe(2);
  });

  it('counts 500 events once when every batch comes again after 500 others (lost acknowledgements)', async () => {
    const vid = await newVisitor();
    const batches = (from: number) =>
      Array.from({ length: 5 }, (_, b) => ({ ...views(vid, []), events: Array.from({ length: 100 }, (_, i) => ({ id: newId('ev'), type: 'page_view', ts: Date.now(), path: `/${from + b * 100 + i}` })) }));
    const first = batches(0);
    for (const batch of [...first, ...batches(500)]) expect(await (await post('/v1/collect', batch)).json()).toMatchObject({ accepted: 100, duplicates: 0 });
    for (const batch of first) expect(await (await post('/v1/collect', batch)).json()).toMatchObject({ accepted: 0, duplicates: 100 });
    const { state } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
    expect(state?.profile?.n.events).toBe(1000);
  });

  it('keeps the cart and purchases apart from views', async () => {
    const vid = await newVisitor();
    const event = (type: string, extra: object) => ({ id: newId('ev'), type, ts: Date.now(), ...extra });
    await collectNow({
      v: 1,
      vid,
      sid: 'session-0001',
      consent: ['personalization'],
      events: [event('add_to_cart', { item: '5' }), event('add_to_cart', { item: '7' }), event('purchase', { items: ['7'] })],
    });
    const profile = await storedProfile(vid);
    expect(profile?.cart).toEqual(['5']);
    expect(profile?.bought).toEqual(['7']);
  });

  it('writes profiles with a retention TTL', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['1']));
    const { keys } = await env.PROFILES.list({ prefix: `p:${vid}` });
    const days = ((keys[0]?.expiration ?? 0) - Date.now() / 1000) / 86400;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('keeps no profile when only analytics is consented', async () => {
    const vid = await newVisitor();
    const res = await collectNow(views(vid, ['1'], ['analytics']));
    expect(await res.json()).toMatchObject({ profile: false });
    expect(await storedProfile(vid)).toBeNull();
  });

  it('keeps a typical profile well under a kilobyte', async () => {
    const vid = await newVisitor();
    const items = Array.from({ length: 40 }, (_, i) => String(1 + ((i * 7) % 190)));
    await collectNow(views(vid, items));
    const raw = await env.PROFILES.get(`p:${vid}`, 'text');
    expect(raw!.length).toBeLessThan(1024);
  });

  it('loses nothing when many batches for one visitor arrive at once', async () => {
    const vid = await newVisitor();
    const items = catalogIds.slice(0, 100);
    const batches = Array.from({ length: 20 }, (_, b) => views(vid, items.slice(b * 5, b * 5 + 5)));
    const answers = await Promise.all(batches.map((batch) => post('/v1/collect', batch)));
    const accepted = await Promise.all(answers.map(async (res) => ((await res.json()) as { accepted: number }).accepted));
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(100);

    // The visitor's object holds every event; views wait for the snapshot until the visitor is idle.
    const { state } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
    expect(state?.profile?.n.views).toBe(100);
    expect(await storedProfile(vid)).toBeNull();
    await flushProfile(vid);
    expect((await storedProfile(vid))?.n.views).toBe(100);
  });

  it('erases the profile, in the object and in KV, once the retention period passes without activity', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['1']));
    const stub = visitor(vid);
    // Pretend the last activity was 31 days ago.
    await runInDurableObject(stub, async (_object: VisitorProfile, state) => {
      const current = (await state.storage.get<VisitorState>('state'))!;
      await state.storage.put('state', { ...current, profile: { ...current.profile!, at: current.profile!.at - 31 * 86_400 } });
    });
    await runDurableObjectAlarm(stub);
    expect(await storedProfile(vid)).toBeNull();
    expect((await runInDurableObject(stub, (object: VisitorProfile) => object.inspect())).state).toBeNull();
  });

  it('refuses a batch with a retryable 503 while no usable catalog is published, and counts it once it is', async () => {
    const vid = await newVisitor();
    const batch = views(vid, ['1', '2']);
    await env.MODELS.delete(pointerKey('catalog'));
    forgetPublished();
    const refused = await post('/v1/collect', batch);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toMatchObject({ error: { code: 'not_published', message: expect.stringContaining('No catalog') } });
    // The SDK keeps the batch and sends it again later: nothing was half-applied meanwhile.
    expect((await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state).toBeNull();

    await seedModels();
    const res = await collectNow(batch);
    expect(await res.json()).toEqual({ vid, accepted: 2, duplicates: 0, profile: true, refused: [] });
    expect((await storedProfile(vid))?.cats.beauty).toBeGreaterThan(0);
  });

  it('still takes analytics-only batches without a catalog: they keep nothing', async () => {
    await env.MODELS.delete(pointerKey('catalog'));
    forgetPublished();
    const res = await post('/v1/collect', views(await newVisitor(), ['1'], ['analytics']));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ profile: false });
  });
});
