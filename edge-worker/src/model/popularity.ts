/** Item ids ordered by descending count (ties: lower id first), the first `n` only. */
export function popularOrder(counts: Float32Array, n: number): Uint32Array {
  const ids: number[] = [];
  for (let i = 0; i < counts.length; i++) if ((counts[i] ?? 0) > 0) ids.push(i);
  ids.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  return Uint32Array.from(ids.slice(0, n));
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
