/** Neighbour scores in SCORE_BITS (4) each: exact for few distinct values, order-keeping and close for many, packed as stored. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizeScores, scoreTable } from '../../../edge-worker/src/model/model-index';
import { SCORE_LEVELS, packCodes, packedCodeBytes, scoreAt, scoreCode } from '../../../edge-worker/src/model/rows';

const read = ({ codes, levels }: ReturnType<typeof quantizeScores>) => Array.from(codes, (c) => levels[c]!);

describe('quantizeScores', () => {
  it(`keeps up to ${SCORE_LEVELS} distinct values exactly (small counts, for instance)`, () => {
    const counts = Float32Array.from({ length: 5000 }, (_, i) => 1 + (i % SCORE_LEVELS));
    expect(read(quantizeScores(counts))).toEqual(Array.from(counts));
  });

  it('never ranks a higher score below a lower one, and stays within half a log-step over a range of 1e3', () => {
    const scores = fc.array(fc.float({ min: Math.fround(0.001), max: 1, noNaN: true }), { minLength: 300, maxLength: 2000 });
    fc.assert(
      fc.property(scores, (values) => {
        const input = Float32Array.from(values);
        const stored = read(quantizeScores(input));
        const order = Array.from(input.keys()).sort((a, b) => input[a]! - input[b]!);
        for (let i = 1; i < order.length; i++) expect(stored[order[i]!]!).toBeGreaterThanOrEqual(stored[order[i - 1]!]!);
        const range = Math.max(...input) / Math.min(...input);
        const halfStep = Math.log(range) / (SCORE_LEVELS - 1) / 2;
        input.forEach((v, i) => expect(Math.abs(Math.log(stored[i]! / v))).toBeLessThanOrEqual(halfStep + 1e-6));
      }),
      { numRuns: 30 },
    );
  });
});

describe('packed score codes', () => {
  it('read back every code, whatever its position in a byte', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: SCORE_LEVELS - 1 }), { maxLength: 200 }), (codes) => {
        const packed = packCodes(codes);
        expect(packed.length).toBe(packedCodeBytes(codes.length));
        expect(codes.map((_, q) => scoreCode(packed, q))).toEqual(codes);
      }),
    );
  });

  it('make a table whose scores read back as quantized', () => {
    const scores = Float32Array.of(9, 3, 1, 4, 4);
    const table = scoreTable(Uint32Array.of(0, 3, 5), Uint16Array.of(1, 2, 3, 0, 2), scores);
    expect(table.scoreCodes.length).toBe(packedCodeBytes(5));
    expect(Array.from(scores, (_, q) => scoreAt(table, q))).toEqual([9, 3, 1, 4, 4]);
  });
});
