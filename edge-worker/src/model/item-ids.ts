/**
 * Shop item ids in the model: the integer id rule (which ids are the model's ids as they stand)
 * and, for any other ids (SKUs), the artifact's id table, read in place: the ids' UTF-8 bytes
 * behind offsets, and the model ids in byte order so a shop id is found by binary search.
 */
import type { Ids } from './types';

/**
 * When an item id is the model's id as it stands: canonical non-negative
 * integers (Diginetica's and the demo's ids). Any other id (a SKU) goes
 * through the id table the artifact carries.
 */
export function isIntegerItemId(text: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(text) && Number(text) < 2 ** 31;
}

/** Model id → shop item id, and back, as three arrays the artifact stores. */
export interface ItemIdTable {
  /** Model id m's id is `bytes[offsets[m] .. offsets[m + 1])`, UTF-8. */
  offsets: Uint32Array;
  bytes: Uint8Array;
  /** Model ids ordered by their ids' bytes. */
  sorted: Ids;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Compares a's bytes with b's bytes[from, to), as unsigned bytes, like memcmp then length. */
function compareBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): number {
  const n = Math.min(a.length, to - from);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[from + i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - (to - from);
}

/** The table of `itemIds` (model id → shop id). */
export function buildItemIdTable(itemIds: readonly string[]): ItemIdTable {
  const encoded = itemIds.map((id) => encoder.encode(id));
  const offsets = new Uint32Array(itemIds.length + 1);
  encoded.forEach((e, m) => (offsets[m + 1] = (offsets[m] ?? 0) + e.length));
  const bytes = new Uint8Array(offsets[itemIds.length] ?? 0);
  encoded.forEach((e, m) => bytes.set(e, offsets[m] ?? 0));
  const order = encoded.map((_, m) => m).sort((a, b) => compareBytes(encoded[a]!, bytes, offsets[b] ?? 0, offsets[b + 1] ?? 0) || a - b);
  return { offsets, bytes, sorted: itemIds.length <= 0x10000 ? Uint16Array.from(order) : Uint32Array.from(order) };
}

/** How many ids the table holds. */
export function itemIdCount(table: ItemIdTable): number {
  return table.offsets.length - 1;
}

/** The shop's id of model id m ('' outside the table). */
export function itemIdAt(table: ItemIdTable, m: number): string {
  if (!(m >= 0 && m < itemIdCount(table))) return '';
  return decoder.decode(table.bytes.subarray(table.offsets[m], table.offsets[m + 1]));
}

/** The model id of a shop id, or undefined when the table does not hold it. */
export function findItemId(table: ItemIdTable, itemId: string): number | undefined {
  const key = encoder.encode(itemId);
  const { sorted, offsets, bytes } = table;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = sorted[mid] ?? 0;
    const c = compareBytes(key, bytes, offsets[m] ?? 0, offsets[m + 1] ?? 0);
    if (c === 0) return m;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return undefined;
}
