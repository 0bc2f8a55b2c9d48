/**
 * One write per change: the visitor's object keeps one storage row, writes
 * the KV snapshot only when a decision would change (views once the shopper
 * is idle, cart and purchases at once), and decisions still follow the
 * shopper's latest views through a stale snapshot, because the SDK sends them.
 */
import { reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import type { Profile } from '../../edge-worker/src/profile/profile';
import { SNAPSHOT_IDLE_MS } from '../../edge-worker/src/profile/snapshot';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';
import type { DecideResponse } from '../../sdk/src/wire';
import { collectNow, flushProfile, newId, newVisitor, post, seedModels, views, visitor } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const catalog = catalogFeed();
const inCategory = (category: string) => catalog.filter((p) => p.category === category).map((p) => p.id);
const snapshot = (vid: string) => env.PROFILES.get<Profile>(`p:${vid}`, 'json');
const expiration = async (vid: string) => (await env.PROFILES.list({ prefix: `p:${vid}` })).keys[0]?.expiration;
const inspect = (vid: string) => runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());

/** Counts the object's storage writes (rows put or deleted, alarms set) from now on. */
async function countWrites(vid: string): Promise<{ rows: number; alarms: number }> {
  const counts = { rows: 0, alarms: 0 };
  await runInDurableObject(visitor(vid), (_object: VisitorProfile, state) => {
    const storage = state.storage;
    const put = storage.put.bind(storage) as (...args: unknown[]) => Promise<void>;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.put = ((...args: unknown[]) => {
      counts.rows += typeof args[0] === 'string' ? 1 : Object.keys(args[0] as object).length;
      return put(...args);
    }) as typeof storage.put;
    storage.setAlarm = (...args: Parameters<typeof setAlarm>) => {
      counts.alarms++;
      return setAlarm(...args);
    };
  });
  return counts;
}

const event = (type: string, extra: object = {}) => ({ id: newId('ev'), type, ts: Date.now(), ...extra });
const batch = (vid: string, events: object[]) => ({ v: 1, vid, sid: 'session-0001', consent: ['analytics', 'personalization'], events });

describe('one write per change', () => {
  it('writes one storage row per batch, and no KV write for what no decision uses', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78']));
    const written = await expiration(vid);
    const writes = await countWrites(vid);
    for (let i = 0; i < 5; i++) {
      await post('/v1/collect', batch(vid, [event('page_view', { path: '/' }), event('scroll', { depth: 50 }), event('search', { query: 'lamp' })]));
    }
    // One alarm: the event log's outbox is looked at once the shopper is idle (the records the queue confirmed leave it).
    expect(writes).toEqual({ rows: 5, alarms: 1 });
    expect((await inspect(vid)).state?.pending).toBeNull();
    // The alarm writes nothing to KV.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await runDurableObjectAlarm(visitor(vid));
    expect(await expiration(vid)).toBe(written);
    expect((await inspect(vid)).state?.profile?.n.events).toBe(16);
  });

  it('keeps views for the snapshot until the shopper is idle, and writes the cart at once', async () => {
    const vid = await newVisitor();
    const writes = await countWrites(vid);
    const answer = await post('/v1/collect', views(vid, ['78', '79']));
    expect(answer.status).toBe(200);
    // One row, one alarm: the snapshot is due once the shopper has been idle.
    expect(writes).toEqual({ rows: 1, alarms: 1 });
    const { state, alarm } = await inspect(vid);
    expect(alarm! - state!.pending!.changedAt).toBe(SNAPSHOT_IDLE_MS);
    expect(await snapshot(vid)).toBeNull();

    // More views while the shopper browses: a row each, the alarm stays where it is.
    await post('/v1/collect', views(vid, ['80']));
    expect(writes).toEqual({ rows: 2, alarms: 1 });

    // The cart changes what every slot may show: due at once (a second after the last write at the soonest).
    await post('/v1/collect', batch(vid, [event('add_to_cart', { item: '80', qty: 1 })]));
    // workerd runs the now-due alarm by itself (it may have already); run it here in case it has not yet.
    await runDurableObjectAlarm(visitor(vid));
    const written = await vi.waitFor(async () => (await snapshot(vid)) ?? Promise.reject(new Error('no snapshot yet')));
    expect(written.cart).toEqual(['80']);
    expect(written.recent.map(([item]) => item)).toEqual(['78', '79', '80', '80']);
    // KV keeps what decisions use: not the event-id hashes nor the session id.
    expect(written).toMatchObject({ seen: '', sid: '' });
    expect((await inspect(vid)).state?.pending).toBeNull();
  });

  it("lets the session's latest views shape the next decision through a stale snapshot", async () => {
    const vid = await newVisitor();
    const laptops = inCategory('laptops').slice(0, 3);
    const phones = inCategory('smartphones').slice(0, 3);
    const decide = async (recent?: string[]) =>
      (await (await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }], context: recent ? { recent } : {} })).json()) as DecideResponse;
    const ids = (decision: DecideResponse) => decision.slots.recommended!.items.map((i) => i.id);

    await collectNow(views(vid, laptops));
    const stale = (await snapshot(vid))!;
    await collectNow(views(vid, phones));
    const upToDate = ids(await decide());

    // KV as another location may still read it: only the laptops. Without the session's views the phones are missing.
    await env.PROFILES.put(`p:${vid}`, JSON.stringify(stale));
    const staleOnly = ids(await decide());
    expect(staleOnly).not.toEqual(upToDate);
    // The SDK sends the session's views: the decision is the one the up-to-date profile gives.
    expect(ids(await decide([...laptops, ...phones]))).toEqual(upToDate);
    // A new visitor whose first batch has not reached KV at all gets the same from the session's views alone.
    await env.PROFILES.delete(`p:${vid}`);
    const fromSession = await decide([...laptops, ...phones]);
    expect(fromSession.slots.recommended!.title).toBe('Recommended for you');
    expect(ids(fromSession)).toEqual(upToDate);
  });

  it('does not count twice the session views the snapshot already holds', async () => {
    const vid = await newVisitor();
    const laptops = inCategory('laptops').slice(0, 3);
    await collectNow(views(vid, laptops));
    const decide = async (recent?: string[]) =>
      (await (await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }], context: recent ? { recent } : {} })).json()) as DecideResponse;
    const ids = (decision: DecideResponse) => decision.slots.recommended!.items.map((i) => i.id);
    expect(ids(await decide(laptops))).toEqual(ids(await decide()));
  });
});
