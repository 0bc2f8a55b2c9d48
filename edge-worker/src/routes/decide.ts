/**
 * `POST /v1/decide`: one request for every slot on a page. Loads catalog,
 * model, slot configuration and profile, then ranks. Scoring time is exposed
 * in `Server-Timing`.
 */
import { Hono } from 'hono';
import { decideRequest } from '../contract/schemas';
import type { DecideResponse } from '../contract/responses';
import { decide as decideSlots } from '../engine/decide';
import { readJson } from '../http/body';
import { ApiError } from '../http/errors';
import { readProfile } from '../profile/store';
import { loadActiveModel, loadCatalog, loadSlots } from '../storage/published';

/** A published value that cannot be used is the operator's problem: 503, with what is wrong, and a log line. */
function published(what: string) {
  return (err: unknown): never => {
    console.error(`rapport: the published ${what} is unusable:`, err);
    throw new ApiError(503, 'bad_configuration', `The published ${what} is unusable: ${(err as Error).message}`);
  };
}

export const decide = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const request = await readJson(c, decideRequest);
  const loadStart = performance.now();
  const [slots, catalog, active, profile] = await Promise.all([
    loadSlots(c.env.MODELS).catch(published('slot configuration')),
    loadCatalog(c.env.MODELS).catch(published('catalog')),
    loadActiveModel(c.env.MODELS),
    request.vid ? readProfile(c.env.PROFILES, request.vid) : null,
  ]);
  const unknown = request.slots.flatMap((slot, i) => (slots[slot.id] ? [] : [{ path: `slots.${i}.id`, message: `unknown slot "${slot.id}"` }]));
  if (unknown.length) {
    throw new ApiError(400, 'unknown_slot', `Unknown slot; configured slots are: ${Object.keys(slots).join(', ')}`, unknown);
  }
  if (!catalog) throw new ApiError(503, 'no_catalog', 'No catalog has been published yet; run the seed step');
  if (active.problem) console.warn(`rapport: ranking by popularity: ${active.problem}`);

  const scoreStart = performance.now();
  const decided = decideSlots({ request, catalog, model: active.model, profile, slots, now: Math.floor(Date.now() / 1000) });
  const scoreEnd = performance.now();

  // `total` (request body to response) is appended by the timing middleware; see http/timing.ts.
  c.header('Server-Timing', `load;dur=${(scoreStart - loadStart).toFixed(2)}, score;dur=${(scoreEnd - scoreStart).toFixed(2)}`);
  c.header('Cache-Control', 'no-store');
  return c.json<DecideResponse>({
    decisionId: crypto.randomUUID(),
    model: active.model ? `rapport-rerank@${active.version}` : 'popularity',
    ...(active.problem ? { fallback: active.problem } : {}),
    slots: decided,
  });
});
