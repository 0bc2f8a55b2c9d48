/**
 * `POST /v1/decide`: one request for every slot on a page. Loads catalog,
 * model, slot configuration and profile, then ranks. Only a request granting
 * personalization reads the profile and the session's views; any other gets
 * the answer a new visitor would. Scoring time is exposed in `Server-Timing`.
 */
import { Hono } from 'hono';
import { decideRequest } from '../contract/schemas';
import type { DecideResponse } from '../../../sdk/src/wire';
import { categoryOf } from '../catalog/catalog';
import { decide as decideSlots } from '../engine/decide';
import { readJson } from '../http/body';
import { limitVisitor } from '../http/rate-limit';
import { knownVisitor } from '../identity/visitor-id';
import { objectsByBrowser } from '../http/gpc';
import { ApiError } from '../http/errors';
import { withSessionViews } from '../engine/session';
import { readSnapshot } from '../profile/store';
import { loadActiveModel, loadCatalog, loadSlots, optionalModel, required } from '../published/published';

export const decide = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const request = await readJson(c, decideRequest);
  const loadStart = performance.now();
  // Personal only with the personalization purpose granted and no Global Privacy Control.
  const personal = request.consent.includes('personalization') && !objectsByBrowser(c);
  // Any id but a valid one of ours decides as for a new visitor: nothing personal is read.
  // The signature check runs alongside the published-data loads; only the profile read waits for it.
  const visitor = personal ? knownVisitor(c.env, request.vid, Date.now()) : Promise.resolve(undefined);
  const [slotsLoaded, catalogLoaded, modelLoaded, stored] = await Promise.all([
    loadSlots(c.env.MODELS),
    loadCatalog(c.env.MODELS),
    loadActiveModel(c.env.MODELS),
    visitor.then((vid) => (vid ? readSnapshot(c.env.PROFILES, vid) : null)),
    visitor.then((vid) => limitVisitor(c.env, vid)),
  ]);
  const slots = required(slotsLoaded, 'slots');
  // Own keys only: a slot called "constructor" is not Object.prototype's.
  const unknown = request.slots.flatMap((slot, i) => (Object.hasOwn(slots, slot.id) ? [] : [{ path: `slots.${i}.id`, message: `unknown slot "${slot.id}"` }]));
  if (unknown.length) {
    throw new ApiError(400, 'unknown_slot', `Unknown slot; configured slots are: ${Object.keys(slots).join(', ')}`, unknown);
  }
  const catalog = required(catalogLoaded, 'catalog');
  const active = optionalModel(modelLoaded);
  const now = Math.floor(Date.now() / 1000);
  // The snapshot may lag the shopper: the session's latest views count even before it catches up.
  // After an objection (the snapshot's marker) nothing personal is used, the session's views included.
  const profile = !personal || stored === 'objected' ? null : withSessionViews(stored, request.context.recent, (item) => categoryOf(catalog, item), now);

  const scoreStart = performance.now();
  const decided = decideSlots({ request, catalog, model: active.model, profile, slots, now });
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
