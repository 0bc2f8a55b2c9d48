/** The compact profile: how events change it, dedupe, decay and bounds. */
import { describe, expect, it } from 'vitest';
import type { TrackedEvent } from '../../../edge-worker/src/contract/schemas';
import { applyEvents, emptyProfile, hashId, interestsAt, Kind, MAX_RECENT, MAX_SEEN_EVENTS, packSeen, unpackSeen } from '../../../edge-worker/src/profile/profile';
import { snapshotOf } from '../../../edge-worker/src/profile/snapshot';

const NOW = 1_800_000_000;
const DAY = 86_400;
const categories: Record<string, string> = { a1: 'shoes', a2: 'shoes', b1: 'bags', c1: 'hats' };
const categoryOf = (item: string) => categories[item];
let n = 0;
const view = (item: string, at = NOW): TrackedEvent => ({ id: `event-${++n}`, type: 'product_view', item, ts: at * 1000 });

describe('applyEvents', () => {
  it('records views, interests and counters', () => {
    const { profile, accepted } = applyEvents(emptyProfile(NOW), [view('a1'), view('a2'), view('b1')], 'sess-0001', NOW, categoryOf);
    expect(accepted).toBe(3);
    expect(profile.recent.map(([item]) => item)).toEqual(['a1', 'a2', 'b1']);
    expect(interestsAt(profile, NOW).map(([cat]) => cat)).toEqual(['shoes', 'bags']);
    expect(profile.n).toMatchObject({ events: 3, views: 3, sessions: 1 });
  });

  it('does not modify the profile it is given', () => {
    const start = emptyProfile(NOW);
    applyEvents(start, [view('a1')], 'sess-0001', NOW, categoryOf);
    expect(start).toEqual(emptyProfile(NOW));
  });

  it('counts an event id once, however often it arrives', () => {
    const batch = [view('a1'), view('b1')];
    const first = applyEvents(emptyProfile(NOW), batch, 'sess-0001', NOW, categoryOf);
    const again = applyEvents(first.profile, batch, 'sess-0001', NOW + 5, categoryOf);
    expect(again).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(again.profile.n.views).toBe(2);
  });

  it('lets old interests fade with a one-week half-life', () => {
    const old = applyEvents(emptyProfile(NOW - 14 * DAY), [view('a1', NOW - 14 * DAY)], 'sess-0001', NOW - 14 * DAY, categoryOf);
    const { profile } = applyEvents(old.profile, [view('b1')], 'sess-0002', NOW, categoryOf);
    expect(profile.cats.shoes).toBeCloseTo(0.25, 2);
    expect(interestsAt(profile, NOW)[0]![0]).toBe('bags');
    expect(profile.n.sessions).toBe(2);
  });

  it('moves purchased items from the cart to bought', () => {
    const events: TrackedEvent[] = [
      { id: 'cart-0001', type: 'add_to_cart', item: 'a1', qty: 1, ts: NOW * 1000 },
      { id: 'cart-0002', type: 'add_to_cart', item: 'b1', qty: 1, ts: NOW * 1000 + 1 },
      { id: 'cart-0003', type: 'remove_from_cart', item: 'b1', qty: 1, ts: NOW * 1000 + 2 },
      { id: 'cart-0004', type: 'add_to_cart', item: 'c1', qty: 1, ts: NOW * 1000 + 3 },
      { id: 'buy-00001', type: 'purchase', items: ['a1'], ts: NOW * 1000 + 4 },
    ];
    const { profile } = applyEvents(emptyProfile(NOW), events, 'sess-0001', NOW, categoryOf);
    expect(profile.cart).toEqual(['c1']);
    expect(profile.bought).toEqual(['a1']);
    // The sequence keeps every interaction, in order: the model reads repeats as a signal.
    expect(profile.recent.map(([item, kind]) => [item, kind])).toEqual([
      ['a1', Kind.cart],
      ['b1', Kind.cart],
      ['c1', Kind.cart],
      ['a1', Kind.purchase],
    ]);
  });

  it('stays bounded however much a visitor does', () => {
    const events = Array.from({ length: 5000 }, (_, i) => view(`item-${i}`, NOW - 5000 + i));
    const { profile } = applyEvents(emptyProfile(NOW), events, 'sess-0001', NOW, categoryOf);
    expect(profile.recent).toHaveLength(MAX_RECENT);
    expect(unpackSeen(profile.seen)).toHaveLength(MAX_SEEN_EVENTS);
    // 6 bytes an id, base64: 32 KiB at most, kept only in the visitor's object.
    expect(profile.seen.length).toBe((MAX_SEEN_EVENTS * 6 * 4) / 3);
    expect(JSON.stringify(snapshotOf(profile)).length).toBeLessThan(1024);
  });

  it('counts a resent event once however large the resend, within the window', () => {
    // 500 events queued offline, sent, their acknowledgement lost; 3,000 more arrive; then all 500 come again.
    const first = Array.from({ length: 500 }, (_, i) => view(`item-${i % 50}`));
    const later = Array.from({ length: 3000 }, (_, i) => view(`item-${i % 50}`));
    let { profile } = applyEvents(emptyProfile(NOW), first, 'sess-0001', NOW, categoryOf);
    ({ profile } = applyEvents(profile, later, 'sess-0001', NOW, categoryOf));
    const again = applyEvents(profile, first, 'sess-0001', NOW, categoryOf);
    expect(again).toMatchObject({ accepted: 0, duplicates: 500 });
    expect(again.profile.n.events).toBe(3500);
  });

  it('does not let a client clock in the future move interests forward', () => {
    const { profile } = applyEvents(emptyProfile(NOW), [view('a1', NOW + 3600)], 'sess-0001', NOW, categoryOf);
    expect(profile.recent[0]![2]).toBe(0);
    expect(profile.cats.shoes).toBe(1);
  });
});

describe('seen packing', () => {
  it('round-trips 48-bit hashes', () => {
    const hashes = [0, 1, 0xffffffff, 0x12345678, 2 ** 48 - 1, 0xabcdef012345];
    expect(unpackSeen(packSeen(hashes))).toEqual(hashes);
  });

  it('spreads event ids over 48 bits: no collision among 200,000 random ids', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => `${i.toString(36)}-${Math.random().toString(36).slice(2, 14)}`);
    const hashes = new Set(ids.map(hashId));
    expect(hashes.size).toBe(ids.length);
    expect([...hashes].every((h) => Number.isSafeInteger(h) && h >= 0 && h < 2 ** 48)).toBe(true);
  });
});
