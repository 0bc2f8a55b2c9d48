/**
 * `POST /v1/collect`: a batch of events from one visitor, handed to that
 * visitor's Durable Object, which applies it to their profile. Resent events
 * (same id) are recognised and counted once. The visitor id is the Worker's
 * own: issued on the first batch, verified on every later one.
 */
import { Hono } from 'hono';
import type { CollectResponse } from '../../../sdk/src/wire';
import { collectRequest, type TrackedEvent } from '../contract/schemas';
import { readJson } from '../http/body';
import { ApiError } from '../http/errors';
import { limitVisitor } from '../http/rate-limit';
import { visitorFor } from '../identity/visitor-id';
import { objectsByBrowser } from '../http/gpc';
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

export const collect = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const batch = await readJson(c, collectRequest);
  // Only an id this Worker issued may write; a first batch is issued one (see identity/visitor-id.ts).
  const { vid } = await visitorFor(c.env, batch.vid, Date.now());
  await limitVisitor(c.env, vid);
  if (!batch.consent.includes('personalization') || objectsByBrowser(c)) {
    // Analytics-only consent, or Global Privacy Control: nothing is kept about this visitor.
    return c.json<CollectResponse>({ vid, accepted: batch.events.length, duplicates: 0, profile: false });
  }
  // Categories come from the published catalog, never from the client. Without a usable
  // catalog the batch is refused with a 503 (the SDK keeps it and retries), so no profile
  // ever folds in events without their categories.
  const catalog = required(await loadCatalog(c.env.MODELS), 'catalog');
  const categories: Record<string, string> = {};
  for (const item of itemsOf(batch.events)) {
    const index = catalog.byId.get(item);
    if (index !== undefined) categories[item] = catalog.items[index]!.category;
  }
  const visitor = c.env.VISITORS.get(c.env.VISITORS.idFromName(vid));
  const { erased, objected, ...result } = await visitor.apply(vid, batch.sid, batch.events, categories);
  if (erased) throw new ApiError(410, 'erased', 'This visitor was erased; the batch is dropped and nothing is kept');
  return c.json<CollectResponse>({ vid, ...result, profile: !objected });
});
