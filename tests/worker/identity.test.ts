/**
 * Visitor ids are the Worker's: issued on a first batch, signed, checked on
 * every request. Forged, altered, swapped, expired, revoked and client-made
 * ids never read or write a profile.
 */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { issueVisitorId, verifyVisitorId } from '../../edge-worker/src/identity/visitor-id';
import { PATTERNS, type CollectResponse, type DecideResponse } from '../../sdk/src/wire';
import { call, collectNow, flushProfile, newVisitor, post, seedModels, views } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const DAY = 86_400_000;
const secret = (text: string) => btoa(text.padEnd(32, '.')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** Flips one character of the random part. */
const altered = (vid: string) => vid.replace(/\.(.)([^.]{21})\./, (_, first: string, rest: string) => `.${first === 'A' ? 'B' : 'A'}${rest}.`);

/** Ids that are not this Worker's valid ones, each with how it is wrong. */
async function badIds(victim: string): Promise<Record<string, string>> {
  const other = await newVisitor();
  const [kid, issued, random] = victim.split('.');
  return {
    forged: `${kid}.${issued}.${random}.${'A'.repeat(43)}`,
    altered: altered(victim),
    swapped: `${kid}.${issued}.${random}.${other.split('.')[3]}`,
    expired: await issueVisitorId(env, Date.now() - 400 * DAY),
    revoked: await issueVisitorId({ VISITOR_ID_KEYS: `old:${secret('a key that was retired')}` }, Date.now()),
    'made up by a client': 'k3XbQm9vZm9vYmFyYmF6cXV4',
  };
}

async function decideAs(vid: string): Promise<DecideResponse> {
  const res = await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }, { id: 'hero' }] });
  expect(res.status).toBe(200);
  return res.json();
}

describe('visitor ids', () => {
  it('issues a signed id on the first batch, and takes the next batch under it', async () => {
    const { vid: _none, ...first } = views('unused', ['1']);
    const res = await post('/v1/collect', first);
    expect(res.status).toBe(200);
    const answer: CollectResponse = await res.json();
    expect(answer.vid).toMatch(PATTERNS.visitorId);
    expect(answer).toMatchObject({ accepted: 1, profile: true });
    await flushProfile(answer.vid);
    const next = await collectNow(views(answer.vid, ['2']));
    expect(await next.json()).toEqual({ vid: answer.vid, accepted: 1, duplicates: 0, profile: true, refused: [] });
    expect((await env.PROFILES.get<{ recent: unknown[] }>(`p:${answer.vid}`, 'json'))?.recent).toHaveLength(2);
  });

  it('never lets a forged, altered, swapped, expired, revoked or client-made id read, write, export, erase or object to a profile', async () => {
    const victim = await newVisitor();
    await collectNow(views(victim, ['78', '79', '80']));
    await collectNow({ ...views(victim, ['81']), sid: 'session-0002' });
    expect((await decideAs(victim)).slots.recommended!.title).toBe('Recommended for you');

    for (const [how, vid] of Object.entries(await badIds(victim))) {
      const write = await post('/v1/collect', views(vid, ['1']));
      expect(write.status, how).toBe(401);
      expect(await write.json(), how).toMatchObject({ error: { code: 'invalid_visitor_id' } });
      expect(await env.PROFILES.get(`p:${vid}`), how).toBeNull();

      const read = await decideAs(vid);
      expect(read.slots.recommended!.title, how).toBe('Popular right now');
      expect(read.slots.hero!.variant?.id, how).not.toBe('favourite-category');

      // Nor export, erase or object for anyone: every privacy route answers 401.
      const headers = { authorization: `Bearer ${vid}` };
      for (const [path, method] of [['/v1/privacy/export', 'GET'], ['/v1/privacy/erase', 'POST'], ['/v1/privacy/object', 'POST']] as const) {
        const res = await call(path, { method, headers });
        expect(res.status, `${how}: ${method} ${path}`).toBe(401);
        expect(await res.json(), `${how}: ${method} ${path}`).toMatchObject({ error: { code: 'invalid_visitor_id' } });
      }
    }
    // The victim's profile is as it was, in the object and in KV, and still personalizes.
    expect((await env.PROFILES.get<{ recent: unknown[] }>(`p:${victim}`, 'json'))?.recent).toHaveLength(4);
    const exported = await (await call('/v1/privacy/export', { headers: { authorization: `Bearer ${victim}` } })).json<{ profile: { viewed: unknown[] }; erasedAt: unknown; objectedToPersonalizationAt: unknown }>();
    expect(exported).toMatchObject({ erasedAt: null, objectedToPersonalizationAt: null });
    expect(exported.profile.viewed).toHaveLength(4);
    expect((await decideAs(victim)).slots.recommended!.title).toBe('Recommended for you');
  });

  it('rotates keys: the newest signs, older ones still verify, a dropped one revokes what it signed', async () => {
    const current = { VISITOR_ID_KEYS: env.VISITOR_ID_KEYS };
    const rotated = { VISITOR_ID_KEYS: `k2:${secret('the next key')},${env.VISITOR_ID_KEYS}` };
    const before = await issueVisitorId(current, Date.now());
    const after = await issueVisitorId(rotated, Date.now());
    expect(after.startsWith('k2.')).toBe(true);
    expect(await verifyVisitorId(rotated, before, Date.now())).toBe('valid');
    expect(await verifyVisitorId(rotated, after, Date.now())).toBe('valid');
    expect(await verifyVisitorId({ VISITOR_ID_KEYS: `k2:${secret('the next key')}` }, before, Date.now())).toBe('revoked');
  });

  it('refuses to work without a signing key, and says how to set one', async () => {
    await expect(issueVisitorId({}, Date.now())).rejects.toMatchObject({ status: 503, code: 'not_configured', message: expect.stringContaining('wrangler secret put VISITOR_ID_KEYS') });
  });
});
