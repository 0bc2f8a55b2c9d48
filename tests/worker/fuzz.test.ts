/**
 * Fuzzing every public route in workerd (fast-check): malformed, oversized,
 * wrong-typed and boundary payloads, under every content type. Whatever
 * arrives, the Worker answers with a well-formed JSON error or a valid
 * success, never a 5xx, and every profile it stores still parses.
 */
import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../edge-worker/src/profile/profile';
import { isProfile, PROFILE_KV_PREFIX } from '../../edge-worker/src/profile/store';
import { CATEGORIES } from '../../demo-shop/src/catalog';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';
import { call, flushProfile, newVisitor, seedModels, visitor } from './helpers';

/** Payloads per route; four routes make the 10,000 the fuzz budget asks for. */
const RUNS = 2500;
let sent = 0;
/** The visitors the collect fuzz writes for (decide reads them). */
let visitors: string[] = [];

beforeAll(async () => {
  await reset();
  await seedModels();
});

const CONTENT_TYPES = ['text/plain', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', undefined];
const boundaryString = fc.oneof(
  fc.constantFrom('', ' ', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(513), '__proto__', 'constructor', 'javascript:alert(1)', '\u0000', '\ud800', '🙂'.repeat(40)),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const boundaryNumber = fc.oneof(fc.constantFrom(-1, 0, 1, 0.5, 99, 100, 101, 999, 1000, 1e308, -1e308, 2 ** 53, -0), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const anyValue = fc.oneof(boundaryString, boundaryNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

/** Sets `value` at a random place of a JSON object (or deletes what is there, for `undefined`). */
function mutate(base: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) break;
    node = next as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Item ids that are also Object.prototype's names: the fuzzer found them reaching prototype properties. */
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
const COLLECT_PATHS = [['v'], ['vid'], ['sid'], ['consent'], ['consent', '0'], ['events'], ['events', '0'], ['events', '0', 'id'], ['events', '0', 'type'], ['events', '0', 'ts'], ['events', '0', 'item'], ['events', '0', 'path'], ['events', '0', 'qty'], ['events', '0', 'depth'], ['events', '0', 'items'], ['events', '0', 'price'], ['events', '0', 'currency'], ['events', '0', 'order'], ['events', '0', 'value'], ['events', '0', 'decision'], ['events', '0', 'slot'], ['extra']];
const DECIDE_PATHS = [['v'], ['vid'], ['consent'], ['consent', '0'], ['slots'], ['slots', '0'], ['slots', '0', 'id'], ['slots', '0', 'max'], ['context'], ['context', 'item'], ['context', 'category'], ['context', 'path'], ['context', 'recent'], ['context', 'recent', '0'], ['context', 'recent', '20'], ['extra']];

/** A body: raw text, any JSON, or a valid body with one field changed, dropped or added; sometimes oversized. */
function bodies(valid: () => Record<string, unknown>, paths: string[][]) {
  return fc.oneof(
    { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), weight: 1 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fc.option(fc.oneof(anyValue, fc.constantFrom(...PROTOTYPE_NAMES)), { nil: undefined }))
        .map(([path, value]) => JSON.stringify(mutate(valid(), path, value))),
      weight: 6,
    },
    { arbitrary: fc.integer({ min: 64 * 1024 - 10, max: 70 * 1024 }).map((n) => JSON.stringify({ ...valid(), pad: 'x'.repeat(n) })), weight: 1 },
  );
}

/** Sends one payload and checks the answer is JSON of the right shape; returns it. */
async function send(path: string, init: RequestInit): Promise<{ status: number; body: any }> {
  sent++;
  const res = await call(path, init);
  const text = await res.text();
  expect(res.status, `${path} → ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
  const body = JSON.parse(text);
  if (res.status >= 400) {
    expect(typeof body.error?.code, text).toBe('string');
    expect(typeof body.error?.message, text).toBe('string');
  }
  return { status: res.status, body };
}

const withType = (contentType: string | undefined, body: string): RequestInit => ({ method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });

describe(`fuzzing every public route (${RUNS} payloads each)`, () => {
  it('POST /v1/collect', async () => {
    // Many visitors, so the per-visitor rate limit (60 per 10 s) leaves most batches to reach a profile.
    visitors = await Promise.all(Array.from({ length: 200 }, () => newVisitor()));
    const valid = () => ({ v: 1, vid: visitors[sent % visitors.length]!, sid: 'session-0001', consent: ['analytics', 'personalization'], events: [{ id: `ev-${sent}-abcdefgh`, type: 'product_view', ts: Date.now(), item: '1', path: '/p/1' }] });
    await fc.assert(
      fc.asyncProperty(bodies(valid, COLLECT_PATHS), fc.constantFrom(...CONTENT_TYPES), async (body, type) => {
        const { status, body: answer } = await send('/v1/collect', withType(type, body));
        if (status === 200) expect(answer).toMatchObject({ vid: expect.any(String), accepted: expect.any(Number), duplicates: expect.any(Number), profile: expect.any(Boolean) });
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('POST /v1/decide', async () => {
    // Personal requests of the visitors the collect fuzz built profiles for, with the session's views to merge.
    const valid = () => ({
      v: 1,
      vid: visitors[sent % visitors.length],
      consent: ['analytics', 'personalization'],
      slots: [{ id: 'recommended', max: 4 }],
      context: { item: '1', path: '/p/1', recent: ['2', '3', 'constructor', '1'] },
    });
    await fc.assert(
      fc.asyncProperty(bodies(valid, DECIDE_PATHS), fc.constantFrom(...CONTENT_TYPES), async (body, type) => {
        const { status, body: answer } = await send('/v1/decide', withType(type, body));
        if (status === 200) expect(Object.values(answer.slots).every((slot: any) => Array.isArray(slot.items))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('GET /v1/privacy/export and POST /v1/privacy/erase', async () => {
    const real = await newVisitor();
    // Header values are ASCII on the wire (browsers refuse anything else).
    const ascii = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 120 }),
      fc.constantFrom('', real.slice(0, -1), `${real}x`, real.replace('.', '..'), 'x'.repeat(200)),
    );
    const bearer = fc.oneof(fc.constant(`Bearer ${real}`), ascii.map((s) => `Bearer ${s}`), ascii, fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(bearer, fc.boolean(), fc.string({ maxLength: 100 }), async (authorization, erase, body) => {
        const headers = new Headers(authorization === undefined ? {} : { authorization });
        await send(erase ? '/v1/privacy/erase' : '/v1/privacy/export', { method: erase ? 'POST' : 'GET', headers, ...(erase ? { body } : {}) });
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('unknown routes and methods', async () => {
    const path = fc.oneof(fc.constantFrom('/v1/collect', '/v1/decide', '/v1/health', '/v1/privacy/export', '/v1/privacy/object', '/v1/'), fc.webPath().map((p) => `/v1${p}`));
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), async (route, method) => {
        if (method === 'HEAD' || method === 'OPTIONS') {
          sent++;
          expect((await call(route, { method })).status).toBeLessThan(500);
          return;
        }
        await send(route, { method, ...(method === 'GET' ? {} : { body: '{}' }) });
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('leaves every stored profile readable, with categories only from the catalog, in the object and in KV', async () => {
    const readable = (profile: unknown, name: string) => {
      expect(isProfile(profile), name).toBe(true);
      for (const category of Object.keys((profile as Profile).cats)) expect(CATEGORIES, name).toContain(category);
    };
    // The record of truth: each visitor's object. Then its snapshot, written now as if the shopper had gone idle.
    let held = 0;
    for (const vid of visitors) {
      const { state } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
      if (!state?.profile) continue;
      readable(state.profile, vid);
      held++;
      await flushProfile(vid);
    }
    let stored = 0;
    for (let cursor: string | undefined, done = false; !done; ) {
      const page: KVNamespaceListResult<unknown, string> = await env.PROFILES.list({ prefix: PROFILE_KV_PREFIX, cursor });
      for (const { name } of page.keys) {
        readable(await env.PROFILES.get(name, 'json'), name);
        stored++;
      }
      done = page.list_complete;
      cursor = page.list_complete ? undefined : page.cursor;
    }
    console.log(`fuzz: ${sent} payloads sent, ${held} profiles in visitors' objects and ${stored} snapshots in KV checked`);
    expect(sent).toBeGreaterThanOrEqual(4 * RUNS);
    // The check is not empty: most of the 200 visitors got a profile, and each reached KV.
    expect(held).toBeGreaterThan(100);
    expect(stored).toBe(held);
  }, 120_000);
});
