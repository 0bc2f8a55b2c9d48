/**
 * Reading and building CSR tables (sessions, postings, neighbour lists): where a row starts and
 * ends, its values, and finding an item in it. Small enough for V8 to inline on the request path.
 */
import type { IdRows, Ids, NeighbourTable, RowTable, ScoredItems } from './types';

/** Anything stored as rows over one offsets array. */
type Rows = { offsets: Uint32Array };

/** Number of rows in a CSR table. */
export function rowCount(table: Rows): number {
  return table.offsets.length - 1;
}

/** Where row `r` starts in the table's value arrays (0 for a row the table does not have). */
export function rowStart(table: Rows, r: number): number {
  return table.offsets[r] ?? 0;
}

/** Where row `r` ends, exclusive (0 for a row the table does not have, so the row reads as empty). */
export function rowEnd(table: Rows, r: number): number {
  return table.offsets[r + 1] ?? 0;
}

/** Number of values in row `r`. */
export function rowLength(table: Rows, r: number): number {
  return rowEnd(table, r) - rowStart(table, r);
}

/** Row `r`'s values, as a view (no copy). */
export function rowValues(table: RowTable, r: number): Uint32Array;
export function rowValues(table: IdRows, r: number): Ids;
export function rowValues(table: IdRows, r: number): Ids {
  return table.values.subarray(rowStart(table, r), rowEnd(table, r));
}

/**
 * Bits per neighbour score: each score is a code into its table's levels, packed 8 / SCORE_BITS to
 * a byte. Validation chose 4 (model-index.ts, DEFAULT_INDEX_OPTIONS).
 */
export const SCORE_BITS = 4;

/** How many distinct score values a neighbour table can hold. */
export const SCORE_LEVELS = 1 << SCORE_BITS;

/** Score codes packed in one byte, the first in its low bits. */
export const CODES_PER_BYTE = 8 / SCORE_BITS;

/** The code of entry q in packed codes. */
export function scoreCode(codes: Uint8Array, q: number): number {
  return ((codes[(q / CODES_PER_BYTE) | 0] ?? 0) >>> ((q % CODES_PER_BYTE) * SCORE_BITS)) & (SCORE_LEVELS - 1);
}

/** Bytes that hold n packed codes. */
export function packedCodeBytes(n: number): number {
  return Math.ceil(n / CODES_PER_BYTE);
}

/** Codes (each below SCORE_LEVELS), packed as stored. */
export function packCodes(codes: ArrayLike<number>): Uint8Array {
  const packed = new Uint8Array(packedCodeBytes(codes.length));
  for (let q = 0; q < codes.length; q++) {
    const at = (q / CODES_PER_BYTE) | 0;
    packed[at] = (packed[at] ?? 0) | ((codes[q] ?? 0) << ((q % CODES_PER_BYTE) * SCORE_BITS));
  }
  return packed;
}

/** The score at position q of a neighbour table's arrays. */
export function scoreAt(table: NeighbourTable, q: number): number {
  return table.scoreLevels[scoreCode(table.scoreCodes, q)] ?? 0;
}

/** Row `r` of a neighbour table, best first: its items as a view, its scores as values (a row is short). */
export function neighbourRow(table: NeighbourTable, r: number): ScoredItems {
  table.fill?.(r);
  const start = rowStart(table, r);
  const end = Math.max(start, rowEnd(table, r));
  const scores = new Float32Array(end - start);
  for (let q = start; q < end; q++) scores[q - start] = scoreAt(table, q);
  return { items: table.items.subarray(start, end), scores };
}

/** Where `item` stands in row `r` of a neighbour table, as an index into its arrays; -1 when absent. */
export function positionInRow(table: NeighbourTable, r: number, item: number): number {
  table.fill?.(r);
  for (let q = rowStart(table, r), end = rowEnd(table, r); q < end; q++) if (table.items[q] === item) return q;
  return -1;
}

/** Builds a CSR table from plain arrays of ids. */
export function rowTableFromArrays(rows: ReadonlyArray<ArrayLike<number>>): RowTable {
  const offsets = new Uint32Array(rows.length + 1);
  let total = 0;
  rows.forEach((row, r) => {
    total += row.length;
    offsets[r + 1] = total;
  });
  const values = new Uint32Array(total);
  rows.forEach((row, r) => values.set(Array.from(row), offsets[r] ?? 0));
  return { offsets, values };
}

/** Keeps only rows [from, to) of a CSR table (the values are copied, offsets rebased). */
export function sliceRows(table: RowTable, from: number, to: number): RowTable;
export function sliceRows(table: IdRows, from: number, to: number): IdRows;
export function sliceRows(table: IdRows, from: number, to: number): IdRows {
  const start = rowStart(table, from);
  const end = table.offsets[to] ?? start;
  const offsets = new Uint32Array(to - from + 1);
  for (let r = from; r <= to; r++) offsets[r - from] = (table.offsets[r] ?? end) - start;
  return { offsets, values: table.values.slice(start, end) };
}
