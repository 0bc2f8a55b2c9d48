/**
 * Popularity as a ranking: the most clicked items, and topping a short list up with them (the
 * fill-ins of the baselines and of the served model).
 */
import { sortIdsByScore } from './sort';

/** Item ids ordered by descending count (ties: lower id first), the first `n` only. */
export function popularOrder(counts: Float32Array, n: number): Uint32Array {
  const ids: number[] = [];
  for (let i = 0; i < counts.length; i++) if ((counts[i] ?? 0) > 0) ids.push(i);
  return Uint32Array.from(sortIdsByScore(ids, counts).slice(0, n));
}

/** How many items have any clicks: the catalogue the model ranks. */
export function clickedItemCount(counts: Float32Array): number {
  return counts.reduce((n, clicks) => (clicks > 0 ? n + 1 : n), 0);
}

/** The first k distinct ids of `ranked`, topped up from `fallback` (a popularity order). */
export function fillTopK(ranked: ArrayLike<number>, fallback: ArrayLike<number>, k: number): Uint32Array {
  const out: number[] = [];
  const taken = new Set<number>();
  for (const list of [ranked, fallback]) {
    for (let i = 0; i < list.length && out.length < k; i++) {
      const item = list[i] ?? 0;
      if (taken.has(item)) continue;
      taken.add(item);
      out.push(item);
    }
  }
  return Uint32Array.from(out);
}
