/**
 * Popularity as a ranking: the most clicked items, and topping a short list up with them (the
 * fill-ins of the baselines and of the served model).
 */

/** How many popular items pad the model's answers (`fill: true`); the artifact stores this order. */
export const FILL_DEPTH = 200;

/**
 * Item ids ordered by descending count (ties: lower id first), the first `n` only: one pass that
 * keeps the best n so far, since a fresh isolate runs this and a full sort of every item costs
 * milliseconds.
 */
export function popularOrder(counts: Float32Array, n: number): Uint32Array {
  const top: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    // Ids come in ascending order, so an equal count never displaces an earlier id.
    if (count <= 0 || (top.length >= n && count <= (counts[top[top.length - 1]!] ?? 0))) continue;
    let at = top.length;
    while (at > 0 && (counts[top[at - 1]!] ?? 0) < count) at--;
    top.splice(at, 0, i);
    if (top.length > n) top.pop();
  }
  return Uint32Array.from(top);
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
