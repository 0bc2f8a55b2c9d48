/** The model index built from sessions: postings, popularity and neighbour tables. */
import { describe, expect, it } from 'vitest';
import { buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { neighbourRow, rowTableFromArrays } from '../../../edge-worker/src/model/rows';
import type { NeighbourTable } from '../../../edge-worker/src/model/types';

const row = (table: NeighbourTable, item: number) => {
  const { items, scores } = neighbourRow(table, item);
  return { items: Array.from(items), scores: Array.from(scores) };
};

describe('model index', () => {
  const index = buildModelIndex(
    rowTableFromArrays([
      [1, 2, 3],
      [1, 1, 2],
      [1, 3],
      [4, 1, 5],
    ]),
  );

  it('counts next clicks: what is clicked right after an item, most often first, re-clicks aside', () => {
    expect(row(index.next, 1)).toEqual({ items: [2, 3, 5], scores: [2, 1, 1] });
    expect(row(index.next, 2)).toEqual({ items: [3], scores: [1] });
    expect(row(index.next, 3)).toEqual({ items: [], scores: [] });
  });

  it('ages items by their first session: the oldest near 1, one first seen last near 0', () => {
    expect(index.age[1]).toBeCloseTo(1, 2);
    expect(index.age[4]).toBeCloseTo(0.25, 2);
    expect(index.age[0]).toBe(0);
  });
});
