/**
 * The session's views, merged into the stored profile for one decision. The
 * KV snapshot a decision reads can lag the shopper: the visitor's object
 * writes views once the shopper is idle (see `profile/snapshot.ts`), and a
 * KV read away from where it was written can be a minute old. The SDK sends
 * the session's recent views with each decide, so the views the snapshot has
 * not caught up with still shape the very next decision. Nothing is stored.
 */
import { applyEvents, emptyProfile, Kind, type Profile } from '../profile/profile';

/**
 * How many of the session's views (from the first) the profile already
 * holds: the longest start of `recent` that is the end of its views. The
 * profile takes a session's views in order, so it holds some first part of
 * them; what follows has not reached it yet.
 */
function viewsHeld(profile: Profile | null, recent: readonly string[]): number {
  const views = (profile?.recent ?? []).filter(([, kind]) => kind === Kind.view).map(([item]) => item);
  for (let k = Math.min(recent.length, views.length); k > 0; k--) {
    if (recent.slice(0, k).every((item, i) => item === views[views.length - k + i])) return k;
  }
  return 0;
}

/**
 * The profile with the session's views it has not taken yet, as views at
 * `now` (categories from the catalog). Returns `profile` itself when it is up
 * to date.
 * @param recent the session's viewed items in order, repeats kept (the SDK's list)
 * @example withSessionViews(profileEndingAtB, ['a', 'b', 'c'], categoryOf, now) // a view of 'c' added
 */
export function withSessionViews(
  profile: Profile | null,
  recent: readonly string[] | undefined,
  categoryOf: (item: string) => string | undefined,
  now: number,
): Profile | null {
  if (!recent?.length) return profile;
  const unseen = recent.slice(viewsHeld(profile, recent));
  if (!unseen.length) return profile;
  const base = profile ?? emptyProfile(now);
  // Folded in as ordinary views; the counters and the deduplication record stay the stored ones.
  const views = unseen.map((item, i) => ({ type: 'product_view' as const, id: `session-view-${i}`, ts: now * 1000, item }));
  const { profile: merged } = applyEvents({ ...base, seen: '' }, views, base.sid, now, categoryOf);
  return { ...merged, seen: base.seen, n: base.n };
}
