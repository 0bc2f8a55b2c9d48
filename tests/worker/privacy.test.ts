/** The shopper's rights on the server: export what is held, erase it everywhere, and keep it erased. */
import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';
import type { DecideResponse } from '../../sdk/src/wire';
import { call, collectNow, newVisitor, post, seedModels, views, visitor } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const as = (vid: string) => ({ authorization: `Bearer ${vid}` });
const exportOf = (vid: string) => call('/v1/privacy/export', { headers: as(vid) });
const erase = (vid: string) => call('/v1/privacy/erase', { method: 'POST', headers: as(vid) });

describe('privacy', () => {
  it('exports everything held about a visitor as readable JSON, with when it changed and how long it is kept', async () => {
    const vid = await newVisitor();
    const ev = (type: string, extra: object) => ({ id: `ev-${type}-${Math.random().toString(36).slice(2, 10)}`, type, ts: Date.now(), ...extra });
    await collectNow({ ...views(vid, ['78', '79']), events: [...views(vid, ['78', '79']).events, ev('add_to_cart', { item: '80' })] });
    const res = await exportOf(vid);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const data = await res.json<Record<string, any>>();
    expect(data.visitor.id).toBe(vid);
    expect(data.profile.viewed.map((v: { item: string; interaction: string }) => `${v.item}:${v.interaction}`)).toEqual(['78:view', '79:view', '80:cart']);
    expect(Object.keys(data.profile.interests)).toContain('laptops');
    expect(data.profile.cart).toEqual(['80']);
    expect(data.profile.counts).toMatchObject({ views: 2, carts: 1 });
    const retainedDays = (Date.parse(data.retainedUntil) - Date.now()) / 86_400_000;
    expect(retainedDays).toBeGreaterThan(29.9);
    expect(data.erasedAt).toBeNull();
  });

  it('erases the profile from the Durable Object and KV, and keeps it erased against late batches', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78', '79', '80']));
    expect(await env.PROFILES.get(`p:${vid}`)).not.toBeNull();

    const res = await erase(vid);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ erased: true, visitor: vid });
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();
    const held = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
    expect(held.state?.profile).toBeNull();

    // A retried batch is dropped (410), and nothing comes back: not in the object, not in KV, not via export or decide.
    const late = await post('/v1/collect', views(vid, ['81']));
    expect(late.status).toBe(410);
    expect(await late.json()).toMatchObject({ error: { code: 'erased' } });
    expect((await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state?.profile ?? null).toBeNull();
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();
    const after = await (await exportOf(vid)).json<Record<string, any>>();
    expect(after.profile).toBeNull();
    expect(after.erasedAt).not.toBeNull();
    const decision: DecideResponse = await (await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }] })).json();
    expect(decision.slots.recommended!.title).toBe('Popular right now');
  });

  it("refuses export and erase without the visitor's own valid id", async () => {
    const victim = await newVisitor();
    await collectNow(views(victim, ['78']));
    const tampered = victim.replace(/\.(.)([^.]{21})\./, (_, first: string, rest: string) => `.${first === 'A' ? 'B' : 'A'}${rest}.`);
    for (const headers of [{}, as('not-an-id'), as(tampered)]) {
      expect((await call('/v1/privacy/export', { headers })).status).toBe(401);
      expect((await call('/v1/privacy/erase', { method: 'POST', headers })).status).toBe(401);
    }
    expect(await env.PROFILES.get(`p:${victim}`)).not.toBeNull();
    expect((await call('/v1/privacy/erase', { headers: as(victim) })).status).toBe(405);
  });

  it('records an objection to personalization: the profile goes, none is built again, decisions are not personal', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78', '79', '80']));
    const res = await call('/v1/privacy/object', { method: 'POST', headers: as(vid) });
    expect(await res.json()).toEqual({ objected: true, visitor: vid });
    // In KV, a marker takes the profile's place: decisions read it and stop personalizing at once.
    expect(await env.PROFILES.get(`p:${vid}`, 'json')).toEqual({ objectedAt: expect.any(Number) });

    // A page that still claims personalization consent keeps nothing. (Not collectNow: it would run the
    // object's alarm now, which for an objection is set for the id's expiry, when everything goes.)
    const later = await post('/v1/collect', views(vid, ['81']));
    expect(await later.json()).toMatchObject({
      vid,
      profile: false,
      refused: [
        { purpose: 'analytics', reason: 'objection' },
        { purpose: 'personalization', reason: 'objection' },
      ],
    });
    expect((await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state?.profile ?? null).toBeNull();
    expect(await env.PROFILES.get(`p:${vid}`, 'json')).toEqual({ objectedAt: expect.any(Number) });
    // Not even the session's own views personalize a decision now.
    const decision: DecideResponse = await (
      await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }], context: { recent: ['78', '79', '80'] } })
    ).json();
    expect(decision.slots.recommended!.title).toBe('Popular right now');
    const exported = await (await exportOf(vid)).json<Record<string, any>>();
    expect(exported.profile).toBeNull();
    expect(exported.objectedToPersonalizationAt).not.toBeNull();
  });

  it('treats Sec-GPC: 1 as an objection to personalization on collect and decide', async () => {
    const vid = await newVisitor();
    const gpc = { 'content-type': 'text/plain', 'sec-gpc': '1' };
    const res = await call('/v1/collect', { method: 'POST', body: JSON.stringify(views(vid, ['78', '79'])), headers: gpc });
    expect(await res.json()).toMatchObject({
      vid,
      profile: false,
      refused: [
        { purpose: 'analytics', reason: 'global_privacy_control' },
        { purpose: 'personalization', reason: 'global_privacy_control' },
      ],
    });
    expect((await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state?.profile ?? null).toBeNull();

    // A profile built without the signal is not read when the signal is on.
    await collectNow(views(vid, ['78', '79', '80']));
    const personal: DecideResponse = await (await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }] })).json();
    expect(personal.slots.recommended!.title).toBe('Recommended for you');
    const withGpc: DecideResponse = await (
      await call('/v1/decide', { method: 'POST', body: JSON.stringify({ v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }] }), headers: gpc })
    ).json();
    expect(withGpc.slots.recommended!.title).toBe('Popular right now');
  });
});
