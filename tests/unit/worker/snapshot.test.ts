/** The snapshot policy (what reaches KV, and when) and the session's views merged into a lagging snapshot. */
import { describe, expect, it } from 'vitest';
import type { TrackedEvent } from '../../../edge-worker/src/contract/schemas';
import { withSessionViews } from '../../../edge-worker/src/engine/session';
import { applyEvents, emptyProfile, type Profile } from '../../../edge-worker/src/profile/profile';
import { KV_MIN_GAP_MS, MAX_PENDING_MS, SNAPSHOT_IDLE_MS, snapshotOf, urgency, withChange, writeAt } from '../../../edge-worker/src/profile/snapshot';

const NOW = 1_800_000_000;
const categoryOf = (item: string) => ({ a: 'shoes', b: 'shoes', c: 'bags', d: 'hats' })[item];
let n = 0;
const ev = (type: string, extra: object = {}, at = NOW): TrackedEvent => ({ id: `event-${++n}`, type, ts: at * 1000, ...extra }) as TrackedEvent;
const apply = (profile: Profile | null, events: TrackedEvent[], at = NOW, sid = 'sess-0001') => applyEvents(profile ?? emptyProfile(at), events, sid, at, categoryOf).profile;
const items = (profile: Profile | null) => profile?.recent.map(([item]) => item);

describe('urgency', () => {
  it('needs no write for what no decision uses, a write once idle for views, and one at once for the cart', () => {
    const viewed = apply(null, [ev('product_view', { item: 'a' })]);
    expect(urgency(null, apply(null, [ev('page_view')]))).toBe('none');
    expect(urgency(null, viewed)).toBe('idle');
    expect(urgency(viewed, apply(viewed, [ev('page_view'), ev('scroll', { depth: 40 }), ev('search', { query: 'x' })], NOW + 60))).toBe('none');
    expect(urgency(viewed, apply(viewed, [ev('add_to_cart', { item: 'b', qty: 1 })]))).toBe('now');
    expect(urgency(viewed, apply(viewed, [ev('purchase', { items: ['a'] })]))).toBe('now');
    // A second session makes the visitor a returning one: the variants change at once.
    expect(urgency(viewed, apply(viewed, [ev('page_view')], NOW + 3600, 'sess-0002'))).toBe('now');
  });
});

describe('writeAt', () => {
  it('waits until the shopper has been idle, never past the longest wait, never within a second of the last write', () => {
    const first = withChange(null, 'idle', 0)!;
    expect(writeAt(first, 0)).toBe(SNAPSHOT_IDLE_MS);
    const later = withChange(first, 'idle', 60_000)!;
    expect(writeAt(later, 0)).toBe(60_000 + SNAPSHOT_IDLE_MS);
    expect(writeAt(withChange(first, 'idle', MAX_PENDING_MS - 1000)!, 0)).toBe(MAX_PENDING_MS);
    const urgent = withChange(later, 'now', 90_000)!;
    expect(urgent).toEqual({ since: 0, changedAt: 90_000, urgent: true });
    expect(writeAt(urgent, 0)).toBe(90_000);
    expect(writeAt(urgent, 89_500)).toBe(89_500 + KV_MIN_GAP_MS);
    expect(withChange(later, 'none', 100_000)).toBe(later);
  });

  it('keeps the event-id hashes and the session id out of the snapshot', () => {
    const profile = apply(null, [ev('product_view', { item: 'a' })]);
    expect(profile.seen).not.toBe('');
    expect(snapshotOf(profile)).toEqual({ ...profile, seen: '', sid: '' });
  });
});

describe('withSessionViews', () => {
  const view = (item: string) => ev('product_view', { item });
  const stale = apply(null, [view('a'), view('b')], NOW - 60);

  it('adds the views after those the snapshot holds, with their categories', () => {
    const merged = withSessionViews(stale, ['a', 'b', 'c', 'd'], categoryOf, NOW);
    expect(items(merged)).toEqual(['a', 'b', 'c', 'd']);
    expect(Object.keys(merged!.cats).sort()).toEqual(['bags', 'hats', 'shoes']);
    // Counters and the deduplication record stay the stored ones: nothing is stored from a decision.
    expect(merged!.n).toEqual(stale.n);
    expect(merged!.seen).toBe(stale.seen);
  });

  it('aligns on order, so a view repeated late in the session still counts', () => {
    expect(items(withSessionViews(stale, ['a', 'b', 'a'], categoryOf, NOW))).toEqual(['a', 'b', 'a']);
    expect(items(withSessionViews(stale, ['b', 'c'], categoryOf, NOW))).toEqual(['a', 'b', 'c']);
  });

  it('returns the profile itself when it is up to date, and builds one from the session alone', () => {
    expect(withSessionViews(stale, ['a', 'b'], categoryOf, NOW)).toBe(stale);
    expect(withSessionViews(stale, undefined, categoryOf, NOW)).toBe(stale);
    expect(withSessionViews(stale, [], categoryOf, NOW)).toBe(stale);
    expect(items(withSessionViews(null, ['c', 'd'], categoryOf, NOW))).toEqual(['c', 'd']);
    expect(withSessionViews(null, undefined, categoryOf, NOW)).toBeNull();
  });
});
