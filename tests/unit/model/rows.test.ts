/** CSR row helpers: reading, building and slicing rows. */
import { describe, expect, it } from 'vitest';
import { neighbourRow, packCodes, positionInRow, rowCount, rowLength, rowTableFromArrays, rowValues, sliceRows } from '../../../edge-worker/src/model/rows';
import type { NeighbourTable } from '../../../edge-worker/src/model/types';

describe('CSR rows', () => {
  const table = rowTableFromArrays([[1, 2, 3], [], [4, 5]]);

  it('reads each row, and a row the table does not have as empty', () => {
    expect(rowCount(table)).toBe(3);
    expect([0, 1, 2].map((r) => Array.from(rowValues(table, r)))).toEqual([[1, 2, 3], [], [4, 5]]);
    expect([0, 1, 2].map((r) => rowLength(table, r))).toEqual([3, 0, 2]);
    for (const r of [-1, 3, 4, 1e9]) expect(Array.from(rowValues(table, r))).toEqual([]);
  });

  it('slices rows with rebased offsets', () => {
    const slice = sliceRows(table, 1, 3);
    expect(rowCount(slice)).toBe(2);
    expect([0, 1].map((r) => Array.from(rowValues(slice, r)))).toEqual([[], [4, 5]]);
  });

  it('finds an item in a neighbour row, and only in its own row', () => {
    const neighbours: NeighbourTable = { offsets: Uint32Array.of(0, 2, 3), items: Uint32Array.of(7, 8, 9), scoreCodes: packCodes([1, 0, 2]), scoreLevels: Float32Array.of(0.25, 0.5, 1) };
    expect(positionInRow(neighbours, 0, 8)).toBe(1);
    expect(positionInRow(neighbours, 0, 9)).toBe(-1);
    expect(positionInRow(neighbours, 1, 9)).toBe(2);
    expect(positionInRow(neighbours, 5, 9)).toBe(-1);
    const row = neighbourRow(neighbours, 0);
    expect([Array.from(row.items), Array.from(row.scores)]).toEqual([[7, 8], [0.5, 0.25]]);
    expect(neighbourRow(neighbours, 2).items).toHaveLength(0);
  });
});
