/**
 * The merchant's admin API, `/v1/admin/*`: what the shop publishes (catalog,
 * slot configuration, model), which version of each is active, each stored
 * version's value, and rollback.
 * For servers and `npm run admin` only: every route needs the admin token
 * (`http/admin-token.ts`), checked before a body is read, and no browser page
 * may call it (`http/origins.ts`). Values are checked by the same publish
 * functions the CLIs run (`published/published.ts`), stored under their
 * immutable versions, and only then does a pointer move.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import { CORE_PART_BYTES, isCore } from '../catalog/core';
import { stockPriceChanges } from '../catalog/delta';
import type { Report } from '../contract/report';
import { measurementReport } from '../experiments/read-report';
import { requireAdminToken } from '../http/admin-token';
import { readJson } from '../http/body';
import { ApiError } from '../http/errors';
import {
  activateVersion,
  compactCatalog,
  patchCatalog,
  publishCatalog,
  publishExperiments,
  publishedStatus,
  publishModel,
  publishSlots,
  publishVersion,
  rollBack,
  storeCatalogValues,
  storedValue,
  storedShards,
  uploadedCatalog,
  type Entry,
  type Kind,
} from '../published/published';

const MIB = 1024 * 1024;
/** Largest body each upload accepts. A model is stored in parts, but one upload is at most 25 MiB; a JSON body is parsed whole in the isolate's 128 MB. */
export const ADMIN_BODY_LIMITS: Record<Kind, number> = { catalog: 16 * MIB, slots: 1 * MIB, model: 25 * MIB, experiments: 1 * MIB };

/** The path parameter naming a kind. */
export const KIND_PARAM = ':kind{catalog|model|slots|experiments}';

const activateRequest = z.object({ version: z.string().min(1).max(64) });

function tooLarge(kind: Kind, limit = ADMIN_BODY_LIMITS[kind]): ApiError {
  return new ApiError(413, 'body_too_large', `Request body exceeds ${limit} bytes, the largest ${kind} this API accepts`);
}

/** Whether an upload should become active: `?activate=true|false`, else the kind's default. */
function activateParam(c: Context, byDefault: boolean): boolean {
  const value = c.req.query('activate');
  if (value === undefined || value === '') return byDefault;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ApiError(400, 'invalid_query', `activate must be true or false, not ${JSON.stringify(value)}`);
}

/** A publication, or a 400 naming what the publish step refused. */
function checked(kind: Kind, publish: () => Entry[]): Entry[] {
  try {
    return publish();
  } catch (err) {
    throw new ApiError(400, `invalid_${kind}`, `The ${kind} cannot be published: ${(err as Error).message}`);
  }
}

/** A publication that reads what was uploaded before, or a 400 naming what the publish step refused. */
async function checkedAsync(kind: Kind, publish: () => Promise<Entry[]>): Promise<Entry[]> {
  try {
    return await publish();
  } catch (err) {
    throw new ApiError(400, `invalid_${kind}`, `The ${kind} cannot be published: ${(err as Error).message}`);
  }
}

/** A binary upload of at most `limit` bytes, or a 413. */
async function bytesBody(c: Context, limit: number, kind: Kind): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  await bodyLimit({ maxSize: limit, onError: () => Promise.reject(tooLarge(kind, limit)) })(c, async () => {
    bytes = new Uint8Array(await c.req.arrayBuffer());
  });
  return bytes!;
}

/**
 * KV writes one request may make for a catalog sent as items: a Worker
 * invocation may make 1,000 KV operations, and a catalog of ~50 k items
 * takes 512 shards. Larger ones are published in parts.
 */
const MAX_SHARDS_PER_REQUEST = 900;

/** What `PUT /catalog/parts` takes: shards (text) and core parts (base64), each checked by `storeCatalogValues`. */
const catalogParts = z.array(z.strictObject({ key: z.string().max(512), value: z.string(), base64: z.boolean().optional() })).min(1).max(MAX_SHARDS_PER_REQUEST);

/** A JSON upload, read within the kind's limit; what it holds is checked by the kind's publish function. */
function jsonBody(c: Context, kind: Kind): Promise<unknown> {
  return readJson(c, z.unknown(), ADMIN_BODY_LIMITS[kind]);
}

const reportQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(14) });

/** The admin routes, each behind the admin token; mounted at `/v1/admin`. */
export const admin = new Hono<{ Bindings: Env }>()
  .use('*', requireAdminToken)
  .get('/published', async (c) => c.json(await publishedStatus(c.env.MODELS)))
  // What the uplift dashboard draws (`/admin/`): experiments, click-through, latency, models, bias.
  .get('/report', async (c) => {
    const parsed = reportQuery.safeParse(c.req.query());
    if (!parsed.success) throw new ApiError(400, 'invalid_query', 'days must be a whole number of days from 1 to 90');
    return c.json<Report>(await measurementReport(c.env, parsed.data.days, Date.now()));
  })
  // Catalog and slots become active at once unless `?activate=false`; a model only with `?activate=true`.
  // A catalog is a JSON array of items (encoded here; its shards are written by this request, so up to
  // MAX_SHARDS_PER_REQUEST of them), or, published in parts by the CLI, its core's first part
  // (application/octet-stream, `?version=`) once its shards and later parts are stored (`PUT /catalog/parts`).
  .put('/catalog', async (c) => {
    const activate = activateParam(c, true);
    if (c.req.header('content-type')?.startsWith('application/octet-stream')) {
      const first = await bytesBody(c, CORE_PART_BYTES, 'catalog');
      const version = c.req.query('version') ?? '';
      const entries = await checkedAsync('catalog', () => uploadedCatalog(c.env.MODELS, version, first));
      return c.json(await publishVersion(c.env.MODELS, entries, activate));
    }
    const items = await jsonBody(c, 'catalog'); // checked by publishCatalog
    const entries = checked('catalog', () => publishCatalog(items));
    if (entries.length > MAX_SHARDS_PER_REQUEST) {
      throw new ApiError(413, 'catalog_too_large', `This catalog takes ${entries.length} KV writes, more than one request may make (${MAX_SHARDS_PER_REQUEST}); publish it in parts with npm run publish-data -- --remote`);
    }
    return c.json(await publishVersion(c.env.MODELS, entries, activate));
  })
  // The shards already stored, which an upload in parts need not send again.
  .get('/catalog/shards', async (c) => c.json(await storedShards(c.env.MODELS, c.req.query('cursor') || undefined)))
  // A catalog's shards and later core parts, before its core is published (`npm run publish-data -- --remote`).
  .put('/catalog/parts', async (c) => {
    const values = await readJson(c, catalogParts, ADMIN_BODY_LIMITS.catalog);
    return c.json({ stored: await storeCatalogValues(c.env.MODELS, values) });
  })
  // Stock and price changes, laid over the active catalog within 10 s; folded into a new version past a bound.
  .patch('/catalog', async (c) => c.json(await patchCatalog(c.env.MODELS, await readJson(c, stockPriceChanges, 1 * MIB))))
  .post('/catalog/compact', async (c) => c.json(await compactCatalog(c.env.MODELS)))
  .put('/slots', async (c) => {
    const activate = activateParam(c, true);
    const config = await jsonBody(c, 'slots');
    return c.json(await publishVersion(c.env.MODELS, checked('slots', () => publishSlots(config)), activate));
  })
  .put('/experiments', async (c) => {
    const activate = activateParam(c, true);
    const config = await jsonBody(c, 'experiments');
    return c.json(await publishVersion(c.env.MODELS, checked('experiments', () => publishExperiments(config)), activate));
  })
  // The artifact's bytes are the body (application/octet-stream); its version is the one in its header.
  .put('/model', async (c) => {
    const activate = activateParam(c, false);
    const bytes = await bytesBody(c, ADMIN_BODY_LIMITS.model, 'model');
    return c.json(await publishVersion(c.env.MODELS, checked('model', () => publishModel(bytes)), activate));
  })
  .post(`/${KIND_PARAM}/activate`, async (c) => {
    const { version } = await readJson(c, activateRequest);
    return c.json(await activateVersion(c.env.MODELS, c.req.param('kind') as Kind, version));
  })
  .post(`/${KIND_PARAM}/rollback`, async (c) => c.json(await rollBack(c.env.MODELS, c.req.param('kind') as Kind)))
  // A stored version as it was published (`npm run retrain` reads the active model and catalog to compare against).
  .get(`/${KIND_PARAM}/versions/:version{[A-Za-z0-9._:-]{1,64}}`, async (c) => {
    const kind = c.req.param('kind') as Kind;
    const version = c.req.param('version');
    const stored = ['active', 'history'].includes(version) ? null : await storedValue(c.env.MODELS, kind, version);
    if (!stored) throw new ApiError(404, 'not_found', `No ${kind} version ${JSON.stringify(version)} is stored`);
    const bytes = new Uint8Array(stored);
    c.header('Cache-Control', 'no-store');
    // A catalog is its whole binary core (see catalog/core.ts), or the JSON array of an old-format one.
    const binary = kind === 'model' || (kind === 'catalog' && isCore(bytes));
    return c.body(bytes, 200, { 'content-type': binary ? 'application/octet-stream' : 'application/json' });
  });
