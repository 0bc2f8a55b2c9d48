/**
 * `POST /v1/collect`: a batch of events from one visitor, folded into their
 * profile in KV. Resent events (same id) are recognised and counted once.
 */
import { Hono } from 'hono';
import type { CollectResponse } from '../contract/responses';
import { collectRequest } from '../contract/schemas';
import { readJson } from '../http/body';
import { applyEvents } from '../profile/profile';
import { readOrCreateProfile, writeProfile } from '../profile/store';
import { loadCatalog } from '../storage/published';

export const collect = new Hono<{ Bindings: Env }>().post('/', async (c) => {
  const batch = await readJson(c, collectRequest);
  if (!batch.consent.includes('personalization')) {
    // Analytics-only consent: nothing is kept about this visitor.
    return c.json<CollectResponse>({ accepted: batch.events.length, duplicates: 0, profile: false });
  }
  const now = Math.floor(Date.now() / 1000);
  const [catalog, profile] = await Promise.all([
    loadCatalog(c.env.MODELS).catch(() => null),
    readOrCreateProfile(c.env.PROFILES, batch.vid, now),
  ]);
  const categoryOf = (item: string) => {
    const index = catalog?.byId.get(item);
    return index === undefined ? undefined : catalog?.items[index]?.category;
  };
  const applied = applyEvents(profile, batch.events, batch.sid, now, categoryOf);
  if (applied.accepted > 0) {
    await writeProfile(c.env.PROFILES, batch.vid, applied.profile, Number(c.env.PROFILE_TTL_DAYS));
  }
  return c.json<CollectResponse>({ accepted: applied.accepted, duplicates: applied.duplicates, profile: true });
});
