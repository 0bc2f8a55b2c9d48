/**
 * Frequency caps: at most `max` decisions showing a slot's content (or one
 * variant of it) per visitor within `hours` (relevance over volume). The
 * visitor's object counts the decisions it records; once a cap is reached it
 * puts the time the slot may show again into the profile, and the KV
 * snapshot carries it to decisions at once. Decisions leave a capped variant
 * out of its slot, and a capped slot empty, before any arm is decided, so
 * caps apply identically in every arm. Caps read what the visitor was shown,
 * so they hold for visitors who granted personalization. Pure.
 */
import type { SlotConfigs } from '../slots/config';
import type { Cap } from './config';
import type { DecisionRecord } from './decision';

/** A cap's key: the slot, or the slot and the variant. */
export function capKey(cap: Pick<Cap, 'slot' | 'variant'>): string {
  return cap.variant === undefined ? cap.slot : `${cap.slot}/${cap.variant}`;
}

/**
 * Counts a decision against the caps. `shown` holds, per cap key, the times
 * (epoch ms) of decisions that showed it; returns the updated times and the
 * caps now reached, each with the epoch second its oldest counted decision
 * leaves the window.
 */
export function countShown(shown: Readonly<Record<string, number[]>>, decision: DecisionRecord, caps: readonly Cap[]): { shown: Record<string, number[]>; reached: Record<string, number> } {
  const next: Record<string, number[]> = {};
  const reached: Record<string, number> = {};
  for (const cap of caps) {
    const key = capKey(cap);
    const windowMs = cap.hours * 3_600_000;
    const times = (shown[key] ?? []).filter((at) => at > decision.at - windowMs);
    const slot = decision.s[cap.slot];
    const showed = slot && (cap.variant === undefined ? Boolean(slot.v ?? slot.i?.length) : slot.v === cap.variant);
    if (showed) times.push(decision.at);
    if (times.length) next[key] = times.slice(-cap.max);
    if (times.length >= cap.max) reached[key] = Math.ceil((times[times.length - cap.max]! + windowMs) / 1000);
  }
  return { shown: next, reached };
}

/** The caps in force at `now` (epoch s) for a profile's `capped`. */
export function inForce(capped: Readonly<Record<string, number>> | undefined, now: number): Set<string> {
  return new Set(Object.entries(capped ?? {}).flatMap(([key, until]) => (until > now ? [key] : [])));
}

/** The slot configuration with capped variants left out; the slots capped whole are returned to be left empty. */
export function withoutCapped(slots: SlotConfigs, capped: ReadonlySet<string>): { slots: SlotConfigs; empty: Set<string> } {
  if (!capped.size) return { slots, empty: new Set() };
  const empty = new Set<string>();
  const out: Record<string, SlotConfigs[string]> = {};
  for (const [id, slot] of Object.entries(slots)) {
    if (capped.has(id)) empty.add(id);
    if (slot.kind !== 'variants') {
      out[id] = slot;
      continue;
    }
    const variants = slot.variants.filter((variant) => !capped.has(`${id}/${variant.id}`));
    if (!variants.length) empty.add(id);
    out[id] = variants.length ? { ...slot, variants } : slot;
  }
  return { slots: out, empty };
}
