/**
 * Consent checked on the server, per purpose: what a batch's events are used
 * for, what the answer says was refused and why, the visitor's consent record
 * (and its export), withdrawal, and decisions only with personalization.
 */
import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CollectResponse, DecideResponse } from '../../sdk/src/wire';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';
import { call, collectNow, newVisitor, post, seedModels, views, visitor } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const stateOf = async (vid: string) => (await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state;
const exportOf = async (vid: string) => (await call('/v1/privacy/export', { headers: { authorization: `Bearer ${vid}` } })).json<Record<string, any>>();
const decideAs = async (vid: string, consent: string[]) =>
  (await (await post('/v1/decide', { v: 1, vid, consent, slots: [{ id: 'recommended' }] })).json()) as DecideResponse;

describe('consent, per purpose, on the server', () => {
  it('uses events only for what the batch granted, and says what it refused and why', async () => {
    const vid = await newVisitor();
    const analyticsOnly: CollectResponse = await (await post('/v1/collect', views(vid, ['78'], ['analytics']))).json();
    expect(analyticsOnly).toMatchObject({ vid, accepted: 1, profile: false });
    expect(analyticsOnly.refused).toEqual([{ purpose: 'personalization', reason: 'not_granted', message: expect.stringContaining('no profile is kept') }]);
    // Never granted personalization: no profile, here or in KV; only what the event log needs (the record on its way, and the ids seen).
    const held = await stateOf(vid);
    expect(held?.profile).toBeNull();
    expect(held?.outbox?.map((record) => record.item)).toEqual(['78']);
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();

    const personalOnly: CollectResponse = await (await collectNow(views(vid, ['79'], ['personalization']))).json();
    expect(personalOnly).toMatchObject({ vid, accepted: 1, profile: true });
    expect(personalOnly.refused).toEqual([{ purpose: 'analytics', reason: 'not_granted', message: expect.stringContaining('not logged') }]);

    const both: CollectResponse = await (await collectNow(views(vid, ['80']))).json();
    expect(both.refused).toEqual([]);
  });

  it('keeps a consent record per purpose, with when it changed, and exports it', async () => {
    const vid = await newVisitor();
    const before = Date.now();
    await collectNow(views(vid, ['78'], ['personalization']));
    await collectNow(views(vid, ['79'], ['personalization']));
    const first = (await stateOf(vid))!.consent;
    expect(first.personalization).toEqual({ granted: true, at: expect.any(Number), source: 'request' });
    expect(first.personalization!.at).toBeGreaterThanOrEqual(before);
    expect(first.analytics).toMatchObject({ granted: false });

    // The same consent again changes nothing; granting analytics later is recorded with its own time.
    await collectNow(views(vid, ['80'], ['analytics', 'personalization']));
    const second = (await stateOf(vid))!.consent;
    expect(second.personalization).toEqual(first.personalization);
    expect(second.analytics).toMatchObject({ granted: true, source: 'request' });
    expect(second.analytics!.at).toBeGreaterThanOrEqual(first.personalization!.at);

    const exported = await exportOf(vid);
    expect(exported.consent).toEqual({
      personalization: { granted: true, changedAt: new Date(first.personalization!.at).toISOString(), source: 'request' },
      analytics: { granted: true, changedAt: new Date(second.analytics!.at).toISOString(), source: 'request' },
    });
    expect(exported.profile.viewed.map((v: { item: string }) => v.item)).toEqual(['78', '79', '80']);
    expect(Date.parse(exported.retainedUntil) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('deletes the profile when personalization is withdrawn, keeping only the consent record', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78', '79', '80']));
    expect((await decideAs(vid, ['analytics', 'personalization'])).slots.recommended!.title).toBe('Recommended for you');

    const withdrawn: CollectResponse = await (await post('/v1/collect', views(vid, ['81'], ['analytics']))).json();
    expect(withdrawn).toMatchObject({ profile: false, refused: [{ purpose: 'personalization', reason: 'not_granted' }] });
    const state = await stateOf(vid);
    expect(state?.profile).toBeNull();
    expect(state?.consent.personalization).toMatchObject({ granted: false, source: 'request' });
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();
    const exported = await exportOf(vid);
    expect(exported.profile).toBeNull();
    expect(exported.consent.personalization).toMatchObject({ granted: false });
    expect(exported.retainedUntil).not.toBeNull();

    // Granting it again starts afresh: nothing from before comes back.
    await collectNow(views(vid, ['1'], ['analytics', 'personalization']));
    const again = await exportOf(vid);
    expect(again.profile.viewed.map((v: { item: string }) => v.item)).toEqual(['1']);
    expect(again.consent.personalization).toMatchObject({ granted: true });
  });

  it('records Global Privacy Control as what withheld personalization', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78']));
    const body = JSON.stringify(views(vid, ['79']));
    const res = await call('/v1/collect', { method: 'POST', body, headers: { 'content-type': 'text/plain', 'sec-gpc': '1' } });
    expect(await res.json()).toMatchObject({
      profile: false,
      refused: [
        { purpose: 'analytics', reason: 'global_privacy_control' },
        { purpose: 'personalization', reason: 'global_privacy_control' },
      ],
    });
    expect((await stateOf(vid))?.consent.personalization).toMatchObject({ granted: false, source: 'global_privacy_control' });
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();
  });

  it('personalizes a decision only when the request grants personalization', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['78', '79', '80']));
    expect((await decideAs(vid, ['personalization'])).slots.recommended!.title).toBe('Recommended for you');
    for (const consent of [[], ['analytics']]) {
      const decision = await decideAs(vid, consent);
      expect(decision.slots.recommended!.title).toBe('Popular right now');
      expect(decision.slots.recommended!.items.every((item) => item.reason === 'Popular in the shop right now')).toBe(true);
    }
    // The session's views are personal data too: without the purpose they are ignored.
    const res = await post('/v1/decide', { v: 1, consent: ['analytics'], slots: [{ id: 'recommended' }], context: { recent: ['78', '79'] } });
    expect(((await res.json()) as DecideResponse).slots.recommended!.title).toBe('Popular right now');
  });

  it('refuses an unknown purpose with a 400 naming it', async () => {
    const res = await post('/v1/decide', { v: 1, consent: ['marketing'], slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_body', issues: [{ path: 'consent.0' }] } });
  });
});
