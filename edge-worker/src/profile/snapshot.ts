/**
 * The profile's KV snapshot: what decisions read, and when the visitor's
 * Durable Object writes it. Pure functions: the object applies them, and the
 * write-cost bench (`npm run bench:writes`) replays real sessions through
 * them to choose the idle time.
 *
 * A KV write costs ten times a Durable Object row and KV takes at most one
 * write a second per key, so the snapshot is written only when something a
 * decision uses has changed, and views wait until the visitor is idle: within
 * a session the SDK sends its recent views with each decide (see
 * `engine/session.ts`), so the snapshot only has to catch up before the
 * shopper's next visit. Cart and purchase changes, which the SDK does not
 * send, are written at once.
 */
import { emptyProfile, type Profile } from './profile';

/**
 * Views wait for the snapshot until the visitor has been idle this long, in
 * ms (and never longer than {@link MAX_PENDING_MS}): the default of the
 * Worker's `SNAPSHOT_IDLE_SECONDS`, chosen by `npm run bench:writes` on real
 * sessions; see docs/COST.md for the figures.
 */
export const SNAPSHOT_IDLE_MS = 5 * 60_000;

/** The longest a change waits for the snapshot: a session's length of idleness, so the next session always finds it. */
export const MAX_PENDING_MS = 30 * 60_000;

/** KV accepts one write a second per key. */
export const KV_MIN_GAP_MS = 1000;

/** How soon a change must reach the snapshot. */
export type Urgency = 'none' | 'idle' | 'now';

/** Changes not yet in the snapshot: since when, the latest, and whether one must be written at once. */
export interface Pending {
  since: number;
  changedAt: number;
  urgent: boolean;
}

/**
 * The profile as KV keeps it: without the event-id hashes and the session id,
 * which only the object's deduplication and session count need.
 */
export function snapshotOf(profile: Profile): Profile {
  return { ...profile, seen: '', sid: '' };
}

/** What of a profile a decision uses, in a form that does not change when only time passes. */
function relevant(known: Profile | null): { items: string; held: string; returning: boolean } {
  // A visitor without a profile is one with an empty one: nothing for a decision to change.
  const profile = known ?? emptyProfile(0);
  return {
    // Interactions with their absolute times: a batch of page views moves `at` but not these.
    items: JSON.stringify(profile.recent.map(([item, kind, ago]) => [item, kind, profile.at - ago])),
    // Cart and purchases exclude items from every slot.
    held: JSON.stringify([profile.cart, profile.bought]),
    // The returning-visitor variants (see engine/decide.ts).
    returning: profile.n.sessions >= 2,
  };
}

/**
 * How soon the change from `before` to `after` must reach KV: at once when
 * the cart, the purchases or the returning-visitor state changed; once the
 * visitor is idle when only interactions did (the SDK carries those to
 * decisions meanwhile); not at all when nothing a decision uses changed
 * (page views, scrolls, searches).
 * @example urgency(before, afterAView) // 'idle'
 */
export function urgency(before: Profile | null, after: Profile): Urgency {
  const a = relevant(before);
  const b = relevant(after);
  if (a.held !== b.held || a.returning !== b.returning) return 'now';
  return a.items === b.items ? 'none' : 'idle';
}

/**
 * What is pending after a change of `urgency` at `now`.
 * @example withChange(null, 'idle', now) // { since: now, changedAt: now, urgent: false }
 */
export function withChange(pending: Pending | null, urgency: Urgency, now: number): Pending | null {
  if (urgency === 'none') return pending;
  return { since: pending?.since ?? now, changedAt: now, urgent: (pending?.urgent ?? false) || urgency === 'now' };
}

/**
 * When the pending changes should be written: at once (a second after the
 * last write at the soonest) when urgent, otherwise once the visitor has been
 * idle for {@link SNAPSHOT_IDLE_MS}, and never later than
 * {@link MAX_PENDING_MS} after the first of them.
 * @param lastWriteAt epoch ms of the last snapshot write this object knows of (0 if none)
 * @param idleMs the idle time (the Worker's `SNAPSHOT_IDLE_SECONDS`; the bench tries others)
 */
export function writeAt(pending: Pending, lastWriteAt: number, idleMs = SNAPSHOT_IDLE_MS): number {
  const due = pending.urgent ? pending.changedAt : Math.min(pending.changedAt + idleMs, pending.since + MAX_PENDING_MS);
  return Math.max(due, lastWriteAt + KV_MIN_GAP_MS);
}
