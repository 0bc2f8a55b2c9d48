/** Which pages may call the API: the shop's configured origins (here https://shop.example) and the Worker's own, never `*`. */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, newVisitor, seedModels, views } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

/** A browser's POST from a page on `origin`, as the SDK sends it. */
function postFrom(origin: string, path: string, body: unknown): Promise<Response> {
  return call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'text/plain', origin } });
}

describe('origins', () => {
  it("answers the shop's pages with CORS for their origin, exposing what the SDK reads", async () => {
    const res = await postFrom('https://shop.example', '/v1/decide', { v: 1, slots: [{ id: 'recommended' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);

    const preflight = await call('/v1/collect', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-anything, content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    // The headers the API reads, never an echo of what the preflight asked for.
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization');
  });

  it('refuses pages on any other origin before touching visitor data, and never answers with *', async () => {
    const vid = await newVisitor();
    const write = await postFrom('https://evil.example', '/v1/collect', views(vid, ['1']));
    expect(write.status).toBe(403);
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    expect(await write.json()).toMatchObject({ error: { code: 'origin_not_allowed', message: expect.stringContaining('https://evil.example') } });
    expect(await env.PROFILES.get(`p:${vid}`)).toBeNull();

    const read = await postFrom('https://evil.example', '/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }] });
    expect(read.status).toBe(403);
    const preflight = await call('/v1/decide', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("lets pages on the Worker's own origin call it, and anyone ask for health", async () => {
    expect((await postFrom('http://rapport.test', '/v1/decide', { v: 1, slots: [{ id: 'recommended' }] })).status).toBe(200);
    const health = await call('/v1/health', { headers: { origin: 'https://anywhere.example' } });
    expect(health.status).toBe(200);
  });
});
