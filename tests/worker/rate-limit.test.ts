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
  const body = JSON.stringify({ v: 1, ...(vid ? { vid } : {}), consent: ['personalization'], slots: [{ id: 'recommended' }] });
  const headers: Record<string, string> = { 'content-type': 'text/plain', origin: 'https://shop.example', ...(address ? { 'cf-connecting-ip': address } : {}) };
  return call('/v1/decide', { method: 'POST', body, headers });
}

/** What a burst saw: every status, and the first refusal's headers and body. */
interface Burst {
  seen: number[];
  refusal?: { headers: Headers; body: unknown };
}

/**
 * Sends bursts of `size` requests at once until one is refused (at most three
 * bursts: the limiter counts in fixed 10 s windows, and a burst that straddles
 * a window's end may fit in neither). The refusal is kept from the burst itself:
 * a request sent after it may land in the next window and be answered.
 */
async function untilRefused(size: number, send: () => Promise<Response>): Promise<Burst> {
  const burst: Burst = { seen: [] };
  for (let round = 0; round < 3 && !burst.refusal; round++) {
    const answers = await Promise.all(
      Array.from({ length: size }, async () => {
        const res = await send();
        const body = res.status === 429 ? await res.json() : await res.arrayBuffer();
        if (res.status === 429) burst.refusal ??= { headers: res.headers, body };
        return res.status;
      }),
    );
    burst.seen.push(...answers);
  }
  return burst;
}

describe('rate limits', () => {
  it('holds one visitor id to its budget, says when to retry, and leaves other visitors alone', async () => {
    const vid = await newVisitor();
    const { seen, refusal } = await untilRefused(70, () => decideAs(vid));
    expect(seen).toContain(429);
    // Within a window, the budget's 60 are answered before any refusal.
    expect(seen.filter((status) => status === 200).length).toBeGreaterThanOrEqual(60);
    expect(seen.every((status) => status === 200 || status === 429)).toBe(true);

    expect(refusal?.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_S));
    // Readable by the SDK on the shop's origin.
    expect(refusal?.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(refusal?.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    expect(refusal?.body).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('visitor') } });

    expect((await decideAs(await newVisitor())).status).toBe(200);
  });

  it('holds one client address to its budget before reading any body', async () => {
    const address = '203.0.113.7';
    // Half the requests carry a body that is not even JSON: refused by the limit, they never get as far as a 400.
    let sentGarbage = false;
    const garbageStatuses: number[] = [];
    const send = async () => {
      sentGarbage = !sentGarbage;
      if (!sentGarbage) return decideAs(undefined, address);
      const res = await call('/v1/collect', { method: 'POST', body: 'not even JSON', headers: { 'cf-connecting-ip': address } });
      garbageStatuses.push(res.status);
      return res;
    };
    const { seen } = await untilRefused(650, send);
    expect(seen).toContain(429);
    expect(seen.filter((status) => status !== 429).length).toBeGreaterThanOrEqual(600);
    expect(garbageStatuses).toContain(429);
    expect(garbageStatuses.every((status) => status === 400 || status === 429)).toBe(true);
    expect((await decideAs(undefined, '203.0.113.8')).status).toBe(200);
  });
});
