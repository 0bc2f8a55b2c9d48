/**
 * The SVG path data the charts draw: lines that break where a value is
 * missing, closed areas per unbroken run, stacked shares, and direct labels
 * kept apart.
 */
import { describe, expect, it } from 'vitest';
import { areaPath, linePath, spread, stack } from '../../../edge-worker/dashboard/path';

describe('linePath', () => {
  it('draws through the points, to a tenth of a pixel', () => {
    expect(linePath([[0, 0], [10.04, 5.55], [20, 5]])).toBe('M0 0L10 5.6L20 5');
  });

  it('lifts the pen over a missing value', () => {
    expect(linePath([[0, 0], [10, 5], null, [30, 5], [40, 6]])).toBe('M0 0L10 5M30 5L40 6');
    expect(linePath([null, null])).toBe('');
  });
});

describe('areaPath', () => {
  it('closes the area between the two lines', () => {
    expect(areaPath([[0, 0], [10, 0]], [[0, 5], [10, 6]])).toBe('M0 0L10 0L10 6L0 5Z');
  });

  it('draws one shape per run where both lines have a point', () => {
    const upper = [[0, 0], [10, 0], null, [30, 0], [40, 0]] as const;
    const lower = [[0, 5], [10, 5], [20, 5], [30, 5], null] as const;
    expect(areaPath(upper, lower)).toBe('M0 0L10 0L10 5L0 5ZM30 0L30 5Z');
    expect(areaPath([[0, 0], [10, 0], [20, 0]], [[0, 5], null, [20, 5]])).toBe('M0 0L0 5ZM20 0L20 5Z');
  });
});

describe('stack', () => {
  it('puts each series on top of the ones before it', () => {
    expect(stack([[0.5, 0.25], [0.25, 0.5], [0.25, 0.25]])).toEqual([
      [[0, 0.5], [0, 0.25]],
      [[0.5, 0.75], [0.25, 0.75]],
      [[0.75, 1], [0.75, 1]],
    ]);
  });

  it('stacks a missing share as zero', () => {
    expect(stack([[0.5, undefined], [0.5, 1]])).toEqual([[[0, 0.5], [0, 0]], [[0.5, 1], [0, 1]]]);
  });
});

describe('spread', () => {
  it('leaves labels that do not collide where they are', () => {
    expect(spread([10, 50, 90], 12, 0, 100)).toEqual([10, 50, 90]);
  });

  it('pushes colliding labels apart, in the order given', () => {
    expect(spread([52, 50, 90], 12, 0, 100)).toEqual([62, 50, 90]);
  });

  it('pushes labels back up from the bottom edge', () => {
    expect(spread([99, 100, 100], 12, 0, 100)).toEqual([76, 88, 100]);
  });
});
