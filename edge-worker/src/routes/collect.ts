/**
 * `POST /v1/collect`: a batch of events from one visitor, handed to that
 * visitor's Durable Object, which applies it to their profile. Resent events
 * (same id) are recognised and counted once. The visitor id is the Worker's
 * own: issued on the first batch, verified on every later one. Consent is
 * checked here, per purpose, and the answer names every purpose the events
 * were not used for and why. Events granted analytics (from a visitor who
 * has not objected) go on to the event log, through the visitor's object.
 */
import { Hono } from 'hono';
import type { CollectResponse, Refusal } from '../../../sdk/src/wire';
import { categoryOf } from '../catalog/catalog';
import { collectRequest, type TrackedEvent } from '../contract/schemas';
import { readJson } from '../http/body';
import { ApiError } from '../http/errors';
import { objectsByBrowser } from '../http/gpc';
import { limitVisitor } from '../http/rate-limit';
import { visitorFor } from '../identity/visitor-id';
import type { BatchResult } from '../profile/visitor-object';
import { loadCatalog, required } from '../published/published';

/** The items a batch mentions. */
function itemsOf(events: readonly TrackedEvent[]): Set<string> {
  const items = new Set<string>();
  for (const ev of events) {
    if ('item' in ev) items.add(ev.item);
    if (ev.type === 'purchase') ev.items.forEach((item) => items.add(item));
  }
  return items;
}

/** Each purpose the batch's events were not used for, and why, in the words the answer gives. */
function refusals(granted: readonly string[], gpc: boolean, result: BatchResult): Refusal[] {
  const refused: Refusal[] = [];
  if (!granted.includes('analytics')) {
    refused.push({ purpose: 'analytics', reason: 'not_granted', message: 'Analytics was not granted: the events are not logged for measurement or model training' });
  } else if (result.objected) {
    refused.push({ purpose: 'analytics', reason: 'objection', message: 'This visitor objected to personalization: their events no longer train the model, so they are not logged' });
  } else if (gpc) {
    refused.push({ purpose: 'analytics', reason: 'global_privacy_control', message: 'The browser sent Global Privacy Control (Sec-GPC: 1), which this site honours as an objection: the events are not logged for model training' });
  }
  if (!granted.includes('personalization')) {
    refused.push({ purpose: 'personalization', reason: 'not_granted', message: 'Personalization was not granted: no profile is kept (one there was is deleted)' });
  } else if (result.objected) {
    refused.push({ purpose: 'personalization', reason: 'objection', message: 'This visitor objected to personalization: no profile is kept' });
  } else if (gpc) {
    refused.push({ purpose: 'personalization', reason: 'global_privacy_control', message: 'The browser sent Global Privacy Control (Sec-GPC: 1), which this site honours as an objection: no profile is kept' });
  }
  return refused;
}

export const collect = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const batch = await readJson(c, collectRequest);
  // Only an id this Worker issued may write; a first batch is issued one (see identity/visitor-id.ts).
  const { vid, issued } = await visitorFor(c.env, batch.vid, Date.now());
  await limitVisitor(c.env, vid);
  const gpc = objectsByBrowser(c);
  const personal = batch.consent.includes('personalization') && !gpc;
  const logged = batch.consent.includes('analytics') && !gpc;
  // Categories come from the published catalog, never from the client. Without a usable
  // catalog a batch for the profile is refused with a 503 (the SDK keeps it and retries),
  // so no profile ever folds in events without their categories.
  const categories: Record<string, string> = {};
  if (personal) {
    const catalog = required(await loadCatalog(c.env.MODELS), 'catalog');
    for (const item of itemsOf(batch.events)) {
      const category = categoryOf(catalog, item);
      if (category !== undefined) categories[item] = category;
    }
  }
  // The visitor's object keeps their consent record and is the event log's producer: a batch without
  // personalization deletes a profile there was (consent withdrawn) and never starts one. An id issued
  // just now has nothing there, so a batch it need not log need not reach it.
  const result: BatchResult =
    !personal && !logged && issued
      ? { accepted: batch.events.length, duplicates: 0, kept: false }
      : await c.env.VISITORS.get(c.env.VISITORS.idFromName(vid)).apply(vid, batch.sid, batch.events, categories, { purposes: batch.consent, gpc });
  if (result.erased) throw new ApiError(410, 'erased', 'This visitor was erased; the batch is dropped and nothing is kept');
  if (result.backlogged) {
    // Nothing of the batch was kept: the SDK keeps it and sends it again once the log has caught up.
    throw new ApiError(503, 'log_unavailable', 'The event log is not accepting events for this visitor right now; send the batch again later', undefined, { 'Retry-After': '60' });
  }
  return c.json<CollectResponse>({
    vid,
    accepted: result.accepted,
    duplicates: result.duplicates,
    profile: result.kept,
    refused: refusals(batch.consent, gpc, result),
  });
});
