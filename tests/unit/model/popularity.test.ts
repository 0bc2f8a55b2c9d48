/** Popularity as a ranking: the top n in one pass ranks exactly as a full sort would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { popularOrder } from '../../../edge-worker/src/model/popularity';
import { sortIdsByScore } from '../../../edge-worker/src/model/sort';

describe('popularOrder', () => {
  it('keeps the n most clicked ids, ties by lower id, as sorting every id would', () => {
    const counts = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })), { maxLength: 400 });
    fc.assert(
      fc.property(counts, fc.integer({ min: 1, max: 50 }), (values, n) => {
        const array = Float32Array.from(values);
        const clicked = values.flatMap((count, id) => (count > 0 ? [id] : []));
        expect(Array.from(popularOrder(array, n))).toEqual(sortIdsByScore(clicked, array).slice(0, n));
      }),
    );
  });
});
