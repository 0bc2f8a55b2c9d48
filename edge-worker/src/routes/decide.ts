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
import { assign, HOLDOUT } from '../experiments/assign';
import { loadAllocations } from '../experiments/allocation';
import { decideAssigned, modelsNeeded } from '../experiments/treatment';
import { readJson } from '../http/body';
import { limitVisitor } from '../http/rate-limit';
import { knownVisitor } from '../identity/visitor-id';
import { objectsByBrowser } from '../http/gpc';
import { ApiError } from '../http/errors';
import { withSessionViews } from '../engine/session';
import { readSnapshot } from '../profile/store';
import { catalogDetails, loadActiveModel, loadCatalog, loadExperiments, loadModelVersion, loadSlots, optionalModel, required } from '../published/published';
import { detailsNeeded, itemsAsked, present } from '../engine/decide';
import { cachedShardBytes } from '../catalog/shards';
import { completeModel, modelQuery, type LoadedModel } from '../model/recommend';
import { recordLatency } from '../experiments/timings';

/**
 * How long after a fresh isolate's first answer its models build what loading deferred. The
 * isolate's thread also writes the answer out: built at once (~15–30 ms), the build held the
 * answer back locally by as long (bench: first decisions 92–118 ms at the client against 79–87
 * with this delay). A decision arriving meanwhile scans the sessions again, a few ms.
 */
const BUILD_AFTER_MS = 25;

export const decide = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const started = performance.now();
  const request = await readJson(c, decideRequest);
  const loadStart = performance.now();
  const gpc = objectsByBrowser(c);
  // Personal only with the personalization purpose granted and no Global Privacy Control.
  const personal = request.consent.includes('personalization') && !gpc;
  // Measured (counted in experiments, attributed) only with analytics granted, as the event log is.
  const measured = request.consent.includes('analytics') && !gpc;
  // Any id but a valid one of ours decides as for a new visitor: nothing personal is read, nothing assigned.
  // The signature check runs alongside the published-data loads; only the profile read waits for it.
  const visitor = personal || measured ? knownVisitor(c.env, request.vid, Date.now()) : Promise.resolve(undefined);
  const [slotsLoaded, catalogLoaded, modelLoaded, stored, , experiments, allocations] = await Promise.all([
    loadSlots(c.env.MODELS),
    loadCatalog(c.env.MODELS),
    // What a first decision asks about, known before the profile: a fresh isolate reads its model shards beside the core.
    loadActiveModel(c.env.MODELS, [...(request.context.item ? [request.context.item] : []), ...(personal ? (request.context.recent ?? []) : [])]),
    visitor.then((vid) => (vid && personal ? readSnapshot(c.env.PROFILES, vid) : null)),
    visitor.then((vid) => limitVisitor(c.env, vid)),
    loadExperiments(c.env.MODELS, Number(c.env.HOLDOUT_SHARE)),
    loadAllocations(c.env.MODELS),
  ]);
  const vid = await visitor;
  const slots = required(slotsLoaded, 'slots');
  // Own keys only: a slot called "constructor" is not Object.prototype's.
  const unknown = request.slots.flatMap((slot, i) => (Object.hasOwn(slots, slot.id) ? [] : [{ path: `slots.${i}.id`, message: `unknown slot "${slot.id}"` }]));
  if (unknown.length) {
    throw new ApiError(400, 'unknown_slot', `Unknown slot; configured slots are: ${Object.keys(slots).join(', ')}`, unknown);
  }
  const catalog = required(catalogLoaded, 'catalog');
  const catalogVersion = catalogLoaded.state === 'ok' ? catalogLoaded.version : '';
  let active = optionalModel(modelLoaded);
  const now = Math.floor(Date.now() / 1000);
  // The snapshot may lag the shopper: the session's latest views count even before it catches up.
  // After an objection (the snapshot's marker) nothing personal is used, the session's views included.
  const profile = !personal || stored === 'objected' ? null : withSessionViews(stored, request.context.recent, (item) => categoryOf(catalog, item), now);

  const assignment = assign(experiments.value, vid, personal && stored !== 'objected', request.slots.map((slot) => slot.id), allocations, Math.random);
  const models = new Map<string, LoadedModel>();
  for (const version of modelsNeeded(experiments.value, assignment)) {
    const model = active.model && version === active.version ? active.model : await loadModelVersion(c.env.MODELS, version);
    if (model) models.set(version, model);
  }

  // A published model's rows are read shard by shard: those of what this decision asks about first
  // (once per isolate). Unreadable, the active model gives way to popularity, naming why, and an
  // arm's model to the active one, as when it cannot be loaded. The holdout, answered without the
  // model, reads none.
  const asked = itemsAsked(profile, request.context.item);
  const held = assignment.holdout?.arm === HOLDOUT;
  const [activeRows, ...armRows] = await Promise.allSettled(
    [held ? undefined : active.model, ...models.values()].map((model) => model?.readRows?.(modelQuery(model, asked))),
  );
  if (activeRows?.status === 'rejected' && active.model) {
    console.error(`rapport: model ${active.version} could not read its rows:`, activeRows.reason);
    active = { problem: `model ${active.version} is unusable: ${(activeRows.reason as Error).message}` };
  }
  [...models.keys()].forEach((version, i) => {
    const rows = armRows[i];
    if (rows?.status !== 'rejected') return;
    console.error(`rapport: the experiment's model ${version} could not read its rows:`, rows.reason);
    models.delete(version);
  });

  const scoreStart = performance.now();
  const decided = decideAssigned({ request, catalog, model: active.model, profile, slots, now }, assignment, experiments.value, models, Math.random);
  const scoreEnd = performance.now();
  const decisionId = crypto.randomUUID();
  // After the answer: the visitor's object keeps what was shown under which arms, to attribute what follows.
  if (vid && measured) {
    const record = { id: decisionId, at: Date.now(), ...decided.record };
    c.executionCtx.waitUntil(c.env.VISITORS.get(c.env.VISITORS.idFromName(vid)).recordDecision(vid, record).catch((err: unknown) => console.error('rapport: a decision was not recorded', err)));
  }
  // The display fields of what is shown and of what the reasons name: one KV bulk read at most (cached shards).
  const details = await catalogDetails(c.env.MODELS, catalog, catalogVersion, detailsNeeded(decided.slots));
  const detailsEnd = performance.now();
  // The dashboard's latency percentiles: this decide's server time, body read to answer built.
  recordLatency(c.env, c.executionCtx, detailsEnd - started);
  // `total` (request body to response) is appended by the timing middleware; see http/timing.ts.
  // `catalog` says what the catalog holds in this isolate's memory (the bench reports it).
  c.header(
    'Server-Timing',
    `load;dur=${(scoreStart - loadStart).toFixed(2)}, score;dur=${(scoreEnd - scoreStart).toFixed(2)}, details;dur=${(detailsEnd - scoreEnd).toFixed(2)}, catalog;desc="core=${catalog.core.bytes.byteLength} shards=${cachedShardBytes()}"`,
  );
  c.header('Cache-Control', 'no-store');
  // A fresh isolate's models answer without session-kNN's postings (a scan of the sessions stands in): built once the answer is out.
  for (const model of [active.model, ...models.values()]) {
    if (model?.artifact.index.postingsBuilt?.() === false) c.executionCtx.waitUntil(scheduler.wait(BUILD_AFTER_MS).then(() => void completeModel(model)));
  }
  return c.json<DecideResponse>({
    decisionId,
    // The holdout is answered without the model: the answer says so.
    model: active.model && !held ? `rapport-rerank@${active.version}` : 'popularity',
    ...(active.problem ? { fallback: active.problem } : {}),
    slots: present(decided.slots, catalog, details),
  });
});
