import { env } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../edge-worker/src/profile/profile';
import { newId, post, seedModels, views } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

async function storedProfile(vid: string): Promise<Profile | null> {
  return env.PROFILES.get<Profile>(`p:${vid}`, 'json');
}

describe('POST /v1/collect', () => {
  it('folds a batch of events into the visitor profile in KV', async () => {
    const vid = newId('v');
    // Catalog ids 1 and 2 are beauty products, 6 is a fragrance.
    const res = await post('/v1/collect', views(vid, ['1', '2', '6']));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, profile: true });

    const profile = await storedProfile(vid);
    expect(profile?.recent.map(([item]) => item)).toEqual(['1', '2', '6']);
    expect(profile?.cats.beauty).toBeGreaterThan(profile?.cats.fragrances ?? Infinity);
    expect(profile?.n.views).toBe(3);
  });

  it('counts a resent batch once', async () => {
    const vid = newId('v');
    const batch = views(vid, ['1', '2']);
    await post('/v1/collect', batch);
    const again = await post('/v1/collect', batch);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 2, profile: true });
    expect((await storedProfile(vid))?.n.views).toBe(2);
  });

  it('keeps the cart and purchases apart from views', async () => {
    const vid = newId('v');
    const event = (type: string, extra: object) => ({ id: newId('ev'), type, ts: Date.now(), ...extra });
    await post('/v1/collect', {
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
    const vid = newId('v');
    await post('/v1/collect', views(vid, ['1']));
    const { keys } = await env.PROFILES.list({ prefix: `p:${vid}` });
    const days = ((keys[0]?.expiration ?? 0) - Date.now() / 1000) / 86400;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('keeps no profile when only analytics is consented', async () => {
    const vid = newId('v');
    const res = await post('/v1/collect', views(vid, ['1'], ['analytics']));
    expect(await res.json()).toMatchObject({ profile: false });
    expect(await storedProfile(vid)).toBeNull();
  });

  it('keeps a typical profile well under a kilobyte', async () => {
    const vid = newId('v');
    const items = Array.from({ length: 40 }, (_, i) => String(1 + ((i * 7) % 190)));
    await post('/v1/collect', views(vid, items));
    const raw = await env.PROFILES.get(`p:${vid}`, 'text');
    expect(raw!.length).toBeLessThan(1024);
  });
});
