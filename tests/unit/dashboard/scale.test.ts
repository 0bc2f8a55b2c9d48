/**
 * Where the dashboard's numbers land: linear scales, round ticks that cover
 * the data, and time ticks on whole hours or UTC midnights.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, dayTime, extent, HOUR_MS, linear, nice, niceStep, ticks, timeDomain, timeTicks } from '../../../edge-worker/dashboard/scale';

describe('linear', () => {
  it('maps the domain onto the range, downwards too (a y axis)', () => {
    expect(linear([0, 10], [0, 100])(2.5)).toBe(25);
    const y = linear([-0.1, 0.3], [200, 0]);
    expect([y(-0.1), y(0.3), y(0.1)]).toEqual([200, 0, 100]);
  });

  it('puts every value of a zero-width domain in the middle', () => {
    expect(linear([5, 5], [0, 100])(7)).toBe(50);
  });
});

describe('ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect([niceStep(1, 5), niceStep(0.3, 5), niceStep(70, 5), niceStep(1300, 5)]).toEqual([0.2, 0.1, 20, 500]);
  });

  it('labels round values within the range, without float noise', () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(-0.13, 0.31, 5)).toEqual([-0.1, 0, 0.1, 0.2, 0.3]);
    expect(ticks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
  });

  it('gives a single value for an empty range and none for no data', () => {
    expect(ticks(3, 3, 5)).toEqual([3]);
    expect(ticks(NaN, NaN, 5)).toEqual([]);
  });

  it('widens a domain to whole ticks that contain it, and a single value around itself', () => {
    expect(nice([0.013, 0.087], 5)).toEqual([0, 0.1]);
    expect(nice([-0.43, 0.36], 5)).toEqual([-0.6, 0.4]);
    const [low, high] = nice([2, 2], 5);
    expect(low).toBeLessThan(2);
    expect(high).toBeGreaterThan(2);
  });
});

describe('extent', () => {
  it('spans the finite values and what must be included, skipping gaps', () => {
    expect(extent([3, null, 1, undefined, Infinity], [0])).toEqual([0, 3]);
    expect(extent([0.2, 0.5])).toEqual([0.2, 0.5]);
  });

  it('falls back to [0, 1] when there is nothing to span', () => {
    expect(extent([null, NaN])).toEqual([0, 1]);
  });
});

describe('time', () => {
  const march = (day: number, hour = 0) => Date.UTC(2026, 2, day, hour);

  it('reads a report day as its UTC midnight', () => {
    expect(dayTime('2026-03-01')).toBe(march(1));
  });

  it('ticks days from the first midnight, never finer than asked', () => {
    expect(timeTicks(march(1), march(7), 3, DAY_MS)).toEqual({ step: 2 * DAY_MS, values: [march(1), march(3), march(5), march(7)] });
    expect(timeTicks(march(1) + HOUR_MS, march(9), 2, DAY_MS)).toEqual({ step: 7 * DAY_MS, values: [march(2), march(9)] });
    expect(timeTicks(march(1), march(7), 12, DAY_MS).step).toBe(DAY_MS);
    // Without a floor, a week of hours at 12 labels is every 12 hours.
    expect(timeTicks(march(1), march(7), 12).step).toBe(12 * HOUR_MS);
  });

  it('ticks hours on whole hours', () => {
    expect(timeTicks(march(6, 0) + 60_000, march(6, 10), 4)).toEqual({ step: 3 * HOUR_MS, values: [march(6, 3), march(6, 6), march(6, 9)] });
  });

  it('spans longer ranges with longer steps, about `count` of them', () => {
    const { step, values } = timeTicks(march(1), march(1) + 400 * DAY_MS, 5);
    expect(step).toBe(91 * DAY_MS);
    expect(values.length).toBeLessThanOrEqual(6);
  });

  it('widens a single instant to a day around it', () => {
    expect(timeDomain([march(3)])).toEqual([march(3) - DAY_MS / 2, march(3) + DAY_MS / 2]);
    expect(timeDomain([march(3), march(1)])).toEqual([march(1), march(3)]);
  });
});
