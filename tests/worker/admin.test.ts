/**
 * The merchant's admin API in workerd: nothing without the right token (and
 * nothing from a browser), and with it publish, activate and rollback change
 * what decisions serve.
 */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import { DEMO_SLOTS } from '../../demo-shop/src/seed';
import { openCore } from '../../edge-worker/src/catalog/core';
import worker from '../../edge-worker/src/index';
import { decodeArtifact, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { pointerKey, publishCatalog, publishModel, publishSlots, publishVersion, type Change, type PublishedStatus } from '../../edge-worker/src/published/published';
import type { DecideResponse } from '../../sdk/src/wire';
import { call, demoModel, post, seedModels } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

const TOKEN = env.ADMIN_TOKEN;
const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

/** An admin request as a server sends it (no Origin), with the right token unless `headers` say otherwise. */
function admin(method: string, path: string, body?: BodyInit, headers: Record<string, string> = bearer()): Promise<Response> {
  return call(path, { method, body, headers });
}

const json = (value: unknown) => JSON.stringify(value);

/** The demo model re-encoded under another version (or the same version with other bytes). */
function modelVariant(version: string, dataset = 'admin-test'): Uint8Array {
  return encodeArtifact({ ...decodeArtifact(demoModel().bytes), modelVersion: version, dataset });
}

/** Every key in MODELS with a digest of its value: what "nothing changed" compares. */
async function modelsNamespace(): Promise<Record<string, string>> {
  const { keys } = await env.MODELS.list();
  const entries = await Promise.all(
    keys.map(async ({ name }) => {
      const digest = await crypto.subtle.digest('SHA-256', (await env.MODELS.get(name, 'arrayBuffer'))!);
      return [name, [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function decide(slot = 'recommended'): Promise<DecideResponse> {
  const res = await post('/v1/decide', { v: 1, slots: [{ id: slot }] });
  expect(res.status).toBe(200);
  return res.json();
}

async function status(): Promise<PublishedStatus> {
  const res = await admin('GET', '/v1/admin/published');
  expect(res.status).toBe(200);
  return res.json();
}

async function change(res: Response): Promise<Change> {
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

const seededCatalog = publishCatalog(catalogFeed())[0]!.version;
const seededSlots = publishSlots(DEMO_SLOTS)[0]!.version;
const renamedCatalog = catalogFeed().map((item) => ({ ...item, title: `Renamed ${item.title}` }));

/** Every admin route, each with a body that would change what is published if it were let through. */
const ROUTES: Array<[method: string, path: string, body?: () => BodyInit]> = [
  ['GET', '/v1/admin/published'],
  ['PUT', '/v1/admin/catalog', () => json(renamedCatalog)],
  ['PUT', '/v1/admin/slots', () => json({ ...DEMO_SLOTS, extra: DEMO_SLOTS.recommended })],
  ['PUT', '/v1/admin/model?activate=true', () => modelVariant('admin-next')],
  ['PATCH', '/v1/admin/catalog', () => json([{ id: catalogFeed()[0]!.id, stock: 0 }])],
  ['PUT', '/v1/admin/catalog/parts', () => json(publishCatalog(renamedCatalog).filter((entry) => entry.key.startsWith('catalog-shard:')).map(({ key, value }) => ({ key, value })))],
  ['POST', '/v1/admin/catalog/compact'],
  ['GET', '/v1/admin/catalog/shards'],
  ['POST', '/v1/admin/catalog/activate', () => json({ version: seededCatalog })],
  ['POST', '/v1/admin/model/activate', () => json({ version: demoModel().version })],
  ['POST', '/v1/admin/slots/activate', () => json({ version: seededSlots })],
  ['POST', '/v1/admin/catalog/rollback'],
  ['POST', '/v1/admin/model/rollback'],
  ['POST', '/v1/admin/slots/rollback'],
  ['GET', `/v1/admin/model/versions/${demoModel().version}`],
  // A method the route does not take, and a path no route has: still nothing without the token.
  ['DELETE', '/v1/admin/catalog'],
  ['GET', '/v1/admin/elsewhere'],
  ['GET', '/v1/admin'],
];

describe('admin API: the token', () => {
  const wrong: Array<[what: string, headers: Record<string, string>]> = [
    ['no Authorization', {}],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a wrong token of the same length', bearer('x'.repeat(TOKEN.length))],
    ['the token without its last character', bearer(TOKEN.slice(0, -1))],
    ['the token with a character more', bearer(`${TOKEN}x`)],
    ['a much shorter token', bearer('admin')],
    ['the token in Basic credentials', { authorization: `Basic ${btoa(`admin:${TOKEN}`)}` }],
    ['the token under the Basic scheme', { authorization: `Basic ${TOKEN}` }],
    ['the token without a scheme', { authorization: TOKEN }],
  ];

  it.each(wrong)('refuses every admin route with %s: 401, and nothing in MODELS changes', async (_, headers) => {
    const before = await modelsNamespace();
    for (const [method, path, body] of ROUTES) {
      const res = await admin(method, path, body?.(), headers);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const { error } = await res.json<{ error: { code: string; message: string } }>();
      expect(error.code).toMatch(/^(missing|invalid)_admin_token$/);
    }
    expect(await modelsNamespace()).toEqual(before);
    expect((await decide()).model).toBe(`rapport-rerank@${demoModel().version}`);
  });

  it('lets the same requests through with the right token (so the refusals above are the token\'s doing)', async () => {
    const before = await modelsNamespace();
    expect((await admin('PUT', '/v1/admin/catalog', json(renamedCatalog), { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect(await modelsNamespace()).not.toEqual(before);
    expect((await admin('DELETE', '/v1/admin/catalog')).status).toBe(405);
    expect((await admin('DELETE', '/v1/admin/catalog')).headers.get('allow')).toBe('PUT');
    expect((await admin('GET', '/v1/admin/elsewhere')).status).toBe(404);
    expect((await admin('GET', '/v1/admin')).status).toBe(404);
    expect((await admin('GET', '/v1/admin/published')).headers.get('cache-control')).toBe('no-store');
  });

  it('accepts any of several configured tokens, so one can replace another', async () => {
    const next = 'the-next-admin-token-handed-out-before-the-old-one-goes';
    const rotating = { ...env, ADMIN_TOKEN: `${next},${TOKEN}` };
    const ask = (token: string) => worker.fetch(new Request('http://rapport.test/v1/admin/published', { headers: bearer(token) }), rotating);
    expect((await ask(next)).status).toBe(200);
    expect((await ask(TOKEN)).status).toBe(200);
    expect((await ask(next.replace('next', 'nexd'))).status).toBe(401);
  });

  it('stays closed (503 not_configured) without a usable ADMIN_TOKEN, whatever the request presents', async () => {
    const before = await modelsNamespace();
    for (const setting of [undefined, '', '  ', 'short-token', `${TOKEN},short-token`]) {
      const unconfigured = { ...env, ADMIN_TOKEN: setting as string };
      for (const headers of [{}, bearer(), bearer(''), bearer('short-token')]) {
        const res = await worker.fetch(new Request('http://rapport.test/v1/admin/catalog', { method: 'PUT', body: json(renamedCatalog), headers }), unconfigured);
        expect(res.status, `${JSON.stringify(setting)} ${JSON.stringify(headers)}`).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'not_configured', message: expect.stringContaining('ADMIN_TOKEN') } });
      }
      // The rest of the API does not depend on it.
      expect((await worker.fetch(new Request('http://rapport.test/v1/health'), unconfigured)).status).toBe(200);
    }
    expect(await modelsNamespace()).toEqual(before);
  });

  it('refuses any browser page, even on an allowed origin and with the right token, and never answers CORS for it', async () => {
    const before = await modelsNamespace();
    const pages: Array<Record<string, string>> = [{ origin: 'https://shop.example' }, { origin: 'http://rapport.test' }, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-origin' }];
    for (const page of pages) {
      const res = await admin('PUT', '/v1/admin/catalog', json(renamedCatalog), { ...bearer(), ...page });
      expect(res.status, JSON.stringify(page)).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    }
    const preflight = await call('/v1/admin/catalog', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    expect(await modelsNamespace()).toEqual(before);
  });
});

describe('admin API: publishing', () => {
  it('reports what is published: active versions, stored versions, history', async () => {
    const published = await status();
    expect(published.catalog).toEqual({ active: seededCatalog, rollbackTo: null, versions: [{ version: seededCatalog, publishedAt: null }], history: [] });
    expect(published.model.active).toBe(demoModel().version);
    expect(published.slots.active).toBe(seededSlots);
  });

  it('uploads a model without serving it, activates it, and rolls back to the one before', async () => {
    const seeded = demoModel().version;
    const upload = await change(await admin('PUT', '/v1/admin/model', modelVariant('admin-2'), { ...bearer(), 'content-type': 'application/octet-stream' }));
    expect(upload).toMatchObject({ kind: 'model', version: 'admin-2', stored: true, active: seeded, changed: false });
    expect((await decide()).model).toBe(`rapport-rerank@${seeded}`);

    const activated = await change(await admin('POST', '/v1/admin/model/activate', json({ version: 'admin-2' })));
    expect(activated).toMatchObject({ version: 'admin-2', active: 'admin-2', previous: seeded, changed: true, servedWithinSeconds: { thisLocation: 10, allLocations: 70 } });
    expect((await decide()).model).toBe('rapport-rerank@admin-2');

    const rolledBack = await change(await admin('POST', '/v1/admin/model/rollback'));
    expect(rolledBack).toMatchObject({ version: seeded, active: seeded, previous: 'admin-2', changed: true });
    expect((await decide()).model).toBe(`rapport-rerank@${seeded}`);

    const { model } = await status();
    expect(model.history.map(({ version, cause }) => `${cause} ${version}`)).toEqual(['activate admin-2', `rollback ${seeded}`]);
    expect(model.versions.map(({ version }) => version).sort()).toEqual(['admin-2', seeded].sort());
    expect(model.versions.find(({ version }) => version === 'admin-2')!.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(model.rollbackTo).toBeNull();
    // Nothing further back: the seeded model was the first.
    const none = await admin('POST', '/v1/admin/model/rollback');
    expect(none.status).toBe(409);
    expect(await none.json()).toMatchObject({ error: { code: 'no_previous_version' } });
  });

  it('tells readers how many parts the version it activates takes, so a fresh isolate reads them at once', async () => {
    const seeded = demoModel().version;
    const entries = publishModel(modelVariant('in-parts'), 16 * 1024);
    // The core's parts (the rows are in shards, read as decisions need them).
    const parts = entries.filter((e) => !e.pointer && !e.key.startsWith('model-shard:')).length;
    expect(parts).toBeGreaterThan(2);
    await publishVersion(env.MODELS, entries, false);
    const pointer = async () => (await env.MODELS.getWithMetadata(pointerKey('model'), 'text')).metadata;
    // The seeded model: one part, and the items a shard of its rows holds (its ids are the shop's integer ids).
    const seededHints = { parts: 1, shardItems: decodeArtifact(demoModel().bytes).shards!.shardItems };
    expect(await pointer()).toEqual(seededHints);
    await change(await admin('POST', '/v1/admin/model/activate', json({ version: 'in-parts' })));
    expect(await pointer()).toEqual({ parts, shardItems: decodeArtifact(modelVariant('in-parts')).shards!.shardItems });
    expect((await decide()).model).toBe('rapport-rerank@in-parts');
    expect(await change(await admin('POST', '/v1/admin/model/rollback'))).toMatchObject({ active: seeded });
    expect(await pointer()).toEqual(seededHints);
  });

  it('gives back a stored version exactly as it was published, and 404 for one that is not stored', async () => {
    const res = await admin('GET', `/v1/admin/model/versions/${demoModel().version}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(demoModel().bytes);
    // A catalog comes back as its binary core, which `npm run retrain` reads its ids from.
    const catalog = await admin('GET', `/v1/admin/catalog/versions/${(await status()).catalog.active}`);
    expect(catalog.headers.get('content-type')).toBe('application/octet-stream');
    const core = openCore(new Uint8Array(await catalog.arrayBuffer()));
    expect(Array.from({ length: core.size }, (_, i) => core.idAt(i)).sort()).toEqual(catalogFeed().map((item) => item.id).sort());
    const missing = await admin('GET', '/v1/admin/model/versions/no-such-version');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('publishes and activates a catalog at once; repeated rollbacks walk back through the history', async () => {
    const renamed = await change(await admin('PUT', '/v1/admin/catalog', json(renamedCatalog)));
    expect(renamed).toMatchObject({ kind: 'catalog', stored: true, previous: seededCatalog, changed: true });
    expect((await decide()).slots.recommended!.items.every((item) => item.title.startsWith('Renamed '))).toBe(true);

    const third = catalogFeed().map((item) => ({ ...item, title: `Third ${item.title}` }));
    const staged = await change(await admin('PUT', '/v1/admin/catalog?activate=false', json(third)));
    expect(staged).toMatchObject({ stored: true, active: renamed.version, changed: false });
    await change(await admin('POST', '/v1/admin/catalog/activate', json({ version: staged.version })));
    expect((await decide()).slots.recommended!.items[0]!.title).toMatch(/^Third /);

    expect(await change(await admin('POST', '/v1/admin/catalog/rollback'))).toMatchObject({ active: renamed.version });
    expect((await decide()).slots.recommended!.items[0]!.title).toMatch(/^Renamed /);
    expect(await change(await admin('POST', '/v1/admin/catalog/rollback'))).toMatchObject({ active: seededCatalog });
    expect((await decide()).slots.recommended!.items[0]!.title).not.toMatch(/^(Renamed|Third) /);
  });

  it('publishes slots, and a rollback takes a slot away again', async () => {
    expect((await post('/v1/decide', { v: 1, slots: [{ id: 'admin-extra' }] })).status).toBe(400);
    await change(await admin('PUT', '/v1/admin/slots', json({ ...DEMO_SLOTS, 'admin-extra': DEMO_SLOTS.recommended })));
    expect((await decide('admin-extra')).slots['admin-extra']!.items).toHaveLength(4);
    await change(await admin('POST', '/v1/admin/slots/rollback'));
    expect((await post('/v1/decide', { v: 1, slots: [{ id: 'admin-extra' }] })).status).toBe(400);
  });

  it('changes nothing when the same value is published again or the active version activated again', async () => {
    const before = await modelsNamespace();
    expect(await change(await admin('PUT', '/v1/admin/catalog', json(catalogFeed())))).toMatchObject({ version: seededCatalog, stored: false, changed: false });
    expect(await change(await admin('POST', '/v1/admin/slots/activate', json({ version: seededSlots })))).toMatchObject({ changed: false });
    expect(await modelsNamespace()).toEqual(before);
  });

  it('refuses what could not serve with a 400 naming the problem, and writes nothing', async () => {
    const before = await modelsNamespace();
    const withUrl = catalogFeed().map((item, i) => (i === 2 ? { ...item, url: 'javascript:alert(1)' } : item));
    const refusals: Array<[path: string, body: BodyInit, code: string, message: RegExp]> = [
      ['/v1/admin/catalog', json(withUrl), 'invalid_catalog', /catalog: 2\.url: must be a path/],
      ['/v1/admin/catalog', json({ not: 'a list' }), 'invalid_catalog', /catalog: \(root\)/],
      ['/v1/admin/catalog', '[{"id": "1",', 'malformed_json', /not valid JSON/],
      ['/v1/admin/catalog', '', 'empty_body', /empty/],
      ['/v1/admin/slots', json({ recommended: { kind: 'items', title: 'x', size: 0, strategy: 'personal' } }), 'invalid_slots', /recommended\.size/],
      ['/v1/admin/model?activate=true', new TextEncoder().encode('not a model'), 'invalid_model', /artifact/],
      ['/v1/admin/model?activate=maybe', modelVariant('admin-3'), 'invalid_query', /activate must be true or false/],
    ];
    for (const [path, body, code, message] of refusals) {
      const res = await admin('PUT', path, body);
      expect(res.status, `${path} ${code}`).toBe(400);
      const { error } = await res.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    expect(await modelsNamespace()).toEqual(before);
  });

  it('refuses other bytes under a published model version (409) and bodies over the limit (413)', async () => {
    const before = await modelsNamespace();
    const conflict = await admin('PUT', '/v1/admin/model', modelVariant(demoModel().version, 'other training data'));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'version_conflict' } });
    const huge = await admin('PUT', '/v1/admin/model', new Uint8Array(25 * 1024 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: 'body_too_large' } });
    expect(await modelsNamespace()).toEqual(before);
  });

  it('activates only stored versions that can serve: 404 for unknown ones, 409 for unusable ones', async () => {
    await env.MODELS.put('catalog:broken', json([{ id: '1' }]));
    const before = await modelsNamespace();
    for (const version of ['never-published', 'active', 'history', '../catalog']) {
      const res = await admin('POST', '/v1/admin/catalog/activate', json({ version }));
      expect(res.status, version).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_version' } });
    }
    const broken = await admin('POST', '/v1/admin/catalog/activate', json({ version: 'broken' }));
    expect(broken.status).toBe(409);
    expect(await broken.json()).toMatchObject({ error: { code: 'unusable_version', message: expect.stringContaining('catalog: 0.title') } });
    expect((await admin('POST', '/v1/admin/catalog/activate', json({}))).status).toBe(400);
    expect((await admin('POST', '/v1/admin/nothing/activate', json({ version: 'x' }))).status).toBe(404);
    expect(await modelsNamespace()).toEqual(before);
    expect((await decide()).slots.recommended!.items).toHaveLength(4);
  });

  it('answers 409 to a rollback with nowhere to go', async () => {
    await reset();
    const before = await modelsNamespace();
    for (const kind of ['catalog', 'model', 'slots']) {
      const res = await admin('POST', `/v1/admin/${kind}/rollback`);
      expect(res.status, kind).toBe(409);
      expect(await res.json()).toMatchObject({ error: { code: 'no_previous_version', message: expect.stringContaining('Nothing to roll back to') } });
    }
    expect(await modelsNamespace()).toEqual(before);
  });
});

describe('admin API: odd input', () => {
  it('answers any body on any admin route with JSON and never a 5xx', async () => {
    const route = fc.constantFrom(...ROUTES.filter(([method]) => method !== 'GET' && method !== 'DELETE').map(([method, path]) => [method, path] as const));
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
      fc.record({ version: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('active', 'history', '__proto__', 'constructor')) }).map(json),
      fc.uint8Array({ maxLength: 256 }),
    );
    await fc.assert(
      fc.asyncProperty(route, body, async ([method, path], payload) => {
        const res = await admin(method, path, payload);
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        await res.body?.cancel();
      }),
      { numRuns: 300 },
    );
  });
});
