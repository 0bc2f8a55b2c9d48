/** Ranking by score with a fixed tie order. */
import { describe, expect, it } from 'vitest';
import { rankByScore, sortByScore, sortIdsByScore } from '../../../edge-worker/src/model/sort';

describe('ranking by score', () => {
  it('sorts by score, highest first, with ties by id either way', () => {
    const score = [0.5, 2, 0.5, -1, 2];
    expect(Array.from(sortByScore([0, 1, 2, 3, 4], score, true))).toEqual([1, 4, 0, 2, 3]);
    expect(Array.from(sortByScore([0, 1, 2, 3, 4], score, false))).toEqual([4, 1, 2, 0, 3]);
  });

  it('ranks the same when ids are too wide to pack', () => {
    const wide = new Float32Array(2 ** 21 + 2);
    const ids = [5, 2 ** 21 + 1, 9, 2 ** 21, 1];
    [0.5, 2, 0.5, -1, 2].forEach((s, i) => (wide[ids[i]!] = s));
    expect(Array.from(sortByScore(ids, wide, true))).toEqual([1, 2 ** 21 + 1, 5, 9, 2 ** 21]);
    expect(Array.from(sortByScore(ids, wide, false))).toEqual([2 ** 21 + 1, 1, 9, 5, 2 ** 21]);
  });

  it('ranks positions, equal scores in their order', () => {
    expect(Array.from(rankByScore(Float32Array.of(1, 3, 1, 2)))).toEqual([1, 3, 0, 2]);
  });

  it('keeps apart float64 sums that float32 would tie', () => {
    const sums = Float64Array.of(1 + 2 ** -40, 1, 1 + 2 ** -30);
    expect(sortIdsByScore([1, 0, 2], sums)).toEqual([2, 0, 1]);
  });
});
