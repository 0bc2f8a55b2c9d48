/** Abuse limits: per visitor id and per client address, a 429 with Retry-After that a shop page on another origin can read. */
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PERIOD_S } from '../../edge-worker/src/http/rate-limit';
import { call, newVisitor, seedModels } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

/** A decide as a shop page on https://shop.example (allowed) sends it, optionally from a client address. */
function decideAs(vid: string | undefined, address?: string): Promise<Response> {
  const body = JSON.stringify({ v: 1, ...(vid ? { vid } : {}), slots: [{ id: 'recommended' }] });
  const headers: Record<string, string> = { 'content-type': 'text/plain', origin: 'https://shop.example', ...(address ? { 'cf-connecting-ip': address } : {}) };
  return call('/v1/decide', { method: 'POST', body, headers });
}

/** Sends `count` requests one after another and returns their statuses. */
async function statuses(count: number, send: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await send();
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('rate limits', () => {
  it('holds one visitor id to its budget, says when to retry, and leaves other visitors alone', async () => {
    const vid = await newVisitor();
    const seen = await statuses(70, () => decideAs(vid));
    expect(seen.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(seen.slice(60)).toContain(429);

    const refused = await decideAs(vid);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_S));
    // Readable by the SDK on the shop's origin.
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('visitor') } });

    expect((await decideAs(await newVisitor())).status).toBe(200);
  });

  it('holds one client address to its budget before reading any body', async () => {
    const seen = await statuses(610, () => decideAs(undefined, '203.0.113.7'));
    expect(seen.slice(0, 600).every((s) => s === 200)).toBe(true);
    expect(seen.slice(600)).toContain(429);
    const refused = await call('/v1/collect', { method: 'POST', body: 'not even JSON', headers: { 'cf-connecting-ip': '203.0.113.7' } });
    expect(refused.status).toBe(429);
    expect((await decideAs(undefined, '203.0.113.8')).status).toBe(200);
  });
});
