/**
 * Ranking ids by a score held in an array indexed by id, highest first with a fixed tie order, so
 * every ranking in the model is deterministic: a packed typed-array sort for float32 scores on
 * the request path, a comparator sort where scores are exact float64 sums.
 */

const bits = new Float32Array(1);
const bitsU32 = new Uint32Array(bits.buffer);
/** Widest id a packed sort key can hold next to 32 score bits within a double's 53-bit mantissa. */
const KEY_ID_BITS = 21;

/** Maps a float32 to a uint32 with the same order (negative values included). */
function orderedBits(value: number): number {
  bits[0] = value;
  const u = bitsU32[0] ?? 0;
  return u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
}

/**
 * Sorts ids by `scores[id]` compared as float32, highest first; ties by id, ascending or
 * descending. Scores and ids are packed into one double per id so a native typed-array sort does
 * the work (a comparator sort is several times slower on the request path). Ids must index
 * `scores`.
 *
 * @example
 * sortByScore([0, 1, 2], Float32Array.of(0.5, 2, 0.5), true); // → [1, 0, 2]
 */
export function sortByScore(ids: ArrayLike<number>, scores: ArrayLike<number>, tieAscending: boolean): Uint32Array {
  const n = ids.length;
  const out = new Uint32Array(n);
  if (scores.length > 2 ** KEY_ID_BITS) {
    const sorted = Array.from(ids).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || (tieAscending ? a - b : b - a));
    out.set(sorted);
    return out;
  }
  const keys = new Float64Array(n);
  const shift = 2 ** KEY_ID_BITS;
  const top = shift - 1;
  for (let i = 0; i < n; i++) {
    const id = ids[i] ?? 0;
    keys[i] = (0xffffffff - orderedBits(scores[id] ?? 0)) * shift + (tieAscending ? id : top - id);
  }
  keys.sort();
  for (let i = 0; i < n; i++) {
    const tie = (keys[i] ?? 0) % shift;
    out[i] = tieAscending ? tie : top - tie;
  }
  return out;
}

/** The positions of `scores`, highest score first; equal scores keep their order. */
export function rankByScore(scores: ArrayLike<number>): Uint32Array {
  const positions = new Uint32Array(scores.length);
  for (let i = 0; i < positions.length; i++) positions[i] = i;
  return sortByScore(positions, scores, true);
}

/**
 * Sorts ids in place by `scores[id]` at full double precision, highest first, ties by lower id;
 * for sums whose float32 rounding would tie items the ranking must keep apart.
 */
export function sortIdsByScore(ids: number[], scores: ArrayLike<number>): number[] {
  return ids.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
}
