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
import type { CatalogItem } from '../catalog/catalog';
import type { Report } from '../contract/report';
import { measurementReport } from '../experiments/read-report';
import { requireAdminToken } from '../http/admin-token';
import { readJson } from '../http/body';
import { ApiError } from '../http/errors';
import {
  activateVersion,
  publishCatalog,
  publishExperiments,
  publishedStatus,
  publishModel,
  publishSlots,
  publishVersion,
  readStoredModel,
  rollBack,
  versionKey,
  type Entry,
  type Kind,
} from '../published/published';

const MIB = 1024 * 1024;
/** Largest body each upload accepts. A model is stored in parts, but one upload is at most 25 MiB; a JSON body is parsed whole in the isolate's 128 MB. */
export const ADMIN_BODY_LIMITS: Record<Kind, number> = { catalog: 16 * MIB, slots: 1 * MIB, model: 25 * MIB, experiments: 1 * MIB };

/** The path parameter naming a kind. */
export const KIND_PARAM = ':kind{catalog|model|slots|experiments}';

const activateRequest = z.object({ version: z.string().min(1).max(64) });

function tooLarge(kind: Kind): ApiError {
  return new ApiError(413, 'body_too_large', `Request body exceeds ${ADMIN_BODY_LIMITS[kind]} bytes, the largest ${kind} this API accepts`);
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
  .put('/catalog', async (c) => {
    const activate = activateParam(c, true);
    const items = (await jsonBody(c, 'catalog')) as CatalogItem[]; // checked by publishCatalog
    return c.json(await publishVersion(c.env.MODELS, checked('catalog', () => publishCatalog(items)), activate));
  })
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
  .put('/model', bodyLimit({ maxSize: ADMIN_BODY_LIMITS.model, onError: () => Promise.reject(tooLarge('model')) }), async (c) => {
    const activate = activateParam(c, false);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
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
    const stored = (v: string) => (kind === 'model' ? readStoredModel(c.env.MODELS, v) : c.env.MODELS.get(versionKey(kind, v), 'arrayBuffer'));
    const bytes = ['active', 'history'].includes(version) ? null : await stored(version);
    if (!bytes) throw new ApiError(404, 'not_found', `No ${kind} version ${JSON.stringify(version)} is stored`);
    c.header('Cache-Control', 'no-store');
    return c.body(bytes, 200, { 'content-type': kind === 'model' ? 'application/octet-stream' : 'application/json' });
  });
