/** Neighbour scores in one byte: exact for few distinct values, order-keeping and close for many. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizeScores } from '../../../edge-worker/src/model/model-index';

const read = ({ codes, levels }: ReturnType<typeof quantizeScores>) => Array.from(codes, (c) => levels[c]!);

describe('quantizeScores', () => {
  it('keeps up to 256 distinct values exactly (counts, for instance)', () => {
    const counts = Float32Array.from({ length: 5000 }, (_, i) => 1 + (i % 256));
    expect(read(quantizeScores(counts))).toEqual(Array.from(counts));
  });

  it('never ranks a higher score below a lower one, and stays within 1.5 % over a range of 1e3', () => {
    const scores = fc.array(fc.float({ min: Math.fround(0.001), max: 1, noNaN: true }), { minLength: 300, maxLength: 2000 });
    fc.assert(
      fc.property(scores, (values) => {
        const input = Float32Array.from(values);
        const stored = read(quantizeScores(input));
        const order = Array.from(input.keys()).sort((a, b) => input[a]! - input[b]!);
        for (let i = 1; i < order.length; i++) expect(stored[order[i]!]!).toBeGreaterThanOrEqual(stored[order[i - 1]!]!);
        input.forEach((v, i) => expect(Math.abs(stored[i]! / v - 1)).toBeLessThan(0.015));
      }),
      { numRuns: 30 },
    );
  });
});
