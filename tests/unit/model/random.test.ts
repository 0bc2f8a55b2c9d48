/** The one seeded random number generator: pinned output, so training stays reproducible. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../edge-worker/src/model/random';

describe('seeded random numbers', () => {
  it('repeats mulberry32 exactly: training shuffles with it, so trained models depend on every bit', () => {
    const random = seededRandom(7);
    expect([random(), random(), random()]).toEqual([0.011704753153026104, 0.06195825757458806, 0.97690763277933]);
  });

  it('gives each seed its own sequence in [0, 1)', () => {
    const a = seededRandom(1);
    const b = seededRandom(2);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(xs.slice(0, 5)).not.toEqual(Array.from({ length: 5 }, () => b()));
  });
});
