/**
 * The shopper's rights on the server (GDPR Art. 15, 17 and 21), for the visitor
 * whose id the request carries as `Authorization: Bearer <vid>`:
 * `GET /v1/privacy/export` returns everything held about them as readable
 * JSON; `POST /v1/privacy/erase` deletes it everywhere it lives and leaves a
 * tombstone so that late batches cannot bring it back; `POST
 * /v1/privacy/object` records an objection to personalization (Art. 21): the
 * profile goes and none is built again. Any id the Worker did not issue, or
 * no id, is a 401.
 */
import { Hono, type Context } from 'hono';
import { ApiError } from '../http/errors';
import { limitVisitor } from '../http/rate-limit';
import { visitorFor, visitorIdLifetime } from '../identity/visitor-id';
import { interestsAt, Kind, type Profile } from '../profile/profile';
import { PROFILE_KV_PREFIX } from '../profile/store';
import type { VisitorState } from '../profile/visitor-object';

const KIND_NAMES = Object.fromEntries(Object.entries(Kind).map(([name, value]) => [value, name])) as Record<Kind, string>;

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The visitor the request proves it is, or a 401. */
async function bearer(c: Context<{ Bindings: Env }>): Promise<string> {
  const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!presented) throw new ApiError(401, 'missing_visitor_id', 'Send the visitor id as `Authorization: Bearer <vid>`');
  const { vid } = await visitorFor(c.env, presented, Date.now());
  await limitVisitor(c.env, vid);
  return vid;
}

function visitorObject(env: Env, vid: string) {
  return env.VISITORS.get(env.VISITORS.idFromName(vid));
}

/** A profile as a shopper reads it: what they looked at and when, their interests, cart, purchases and counts. */
function readable(profile: Profile, now: number) {
  return {
    viewed: profile.recent.map(([item, kind, ago]) => ({ item, interaction: KIND_NAMES[kind], at: iso((profile.at - ago) * 1000) })),
    interests: Object.fromEntries(interestsAt(profile, Math.floor(now / 1000)).map(([category, weight]) => [category, Math.round(weight * 100) / 100])),
    cart: profile.cart,
    purchased: profile.bought,
    counts: profile.n,
    firstSeen: iso(profile.first * 1000),
    lastChanged: iso(profile.at * 1000),
  };
}

export const privacy = new Hono<{ Bindings: Env }>()
  .get('/export', async (c) => {
    const vid = await bearer(c);
    const now = Date.now();
    // RPC's serialised type widens the profile's tuples; the value is the object's own state.
    const state = (await visitorObject(c.env, vid).exportState()) as VisitorState | null;
    const { issuedAt, expiresAt } = visitorIdLifetime(c.env, vid);
    const retentionMs = Number(c.env.PROFILE_TTL_DAYS) * 86_400_000;
    const profile = state?.profile ?? null;
    // Without a profile, a withdrawn visitor's consent record is kept for the retention period from its last change.
    const lastChanged = Math.max(profile ? profile.at * 1000 : 0, ...Object.values(state?.consent ?? {}).map((entry) => entry.at));
    c.header('Cache-Control', 'no-store');
    return c.json({
      visitor: { id: vid, issuedAt: iso(issuedAt), acceptedUntil: iso(expiresAt) },
      profile: profile ? readable(profile, now) : null,
      consent: Object.fromEntries(Object.entries(state?.consent ?? {}).map(([purpose, entry]) => [purpose, { granted: entry.granted, changedAt: iso(entry.at), source: entry.source }])),
      retainedUntil: state && !state.erasedAt && !state.objectedAt && lastChanged ? iso(lastChanged + retentionMs) : null,
      // The days the visitor's events went to the event log on, and how many are still on their way to it.
      eventLog: { days: state?.logDays ?? [], awaitingDelivery: state?.outbox?.length ?? 0, retainedForDays: Number(c.env.LOG_RETENTION_DAYS) },
      // With analytics granted: the arms of the shop's experiments the visitor is in, and what they were shown recently, to attribute their clicks and orders.
      experiments: {
        arms: Object.fromEntries(Object.entries(state?.attribution?.exposures ?? {}).map(([experiment, e]) => [experiment, { arm: e.a, lastDecisionAt: iso(e.at), converted: Boolean(e.c), revenue: e.r ?? 0 }])),
        recentDecisions: (state?.attribution?.decisions ?? []).map((d) => ({ id: d.id, at: iso(d.at), slots: d.s })),
      },
      erasedAt: state?.erasedAt ? iso(state.erasedAt) : null,
      objectedToPersonalizationAt: state?.objectedAt ? iso(state.objectedAt) : null,
      // Where each part lives; erase reaches every one of them.
      storedIn: {
        profile: ['this visitor\'s Durable Object (the record of truth)', `Workers KV PROFILES, key ${PROFILE_KV_PREFIX}<id> (the snapshot decisions read)`],
        consent: 'this visitor\'s Durable Object, beside the profile (kept only for visitors who granted personalization)',
        experiments:
          'with analytics granted, this visitor\'s Durable Object (their arms and latest decisions, for as long as the profile) and the measurement counters (Durable Objects COUNTERS: sums over all visitors, per arm and day, from which erasure takes this visitor\'s counts back)',
        events:
          'with analytics granted, the event log (R2 bucket rapport-event-log, events/dt=<day>/): the pseudonymous id, session, event type, items, quantities, order value, decision, time and a search\'s query, never a path, address or user agent; used to train the shop\'s model, kept LOG_RETENTION_DAYS days; erasure or an objection removes them from what training reads at once and from storage within two hours',
      },
    });
  })
  .post('/erase', async (c) => {
    const vid = await bearer(c);
    await visitorObject(c.env, vid).erase(vid, visitorIdLifetime(c.env, vid).expiresAt);
    return c.json({ erased: true, visitor: vid });
  })
  // GDPR Art. 21: no profile from now on (and the one there is goes), whatever a page claims later.
  .post('/object', async (c) => {
    const vid = await bearer(c);
    await visitorObject(c.env, vid).object(vid, visitorIdLifetime(c.env, vid).expiresAt);
    return c.json({ objected: true, visitor: vid });
  });
