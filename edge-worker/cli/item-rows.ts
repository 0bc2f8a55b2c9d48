/**
 * The shop's item ids → the model's ids, one row at a time into a CSR table: the one mapping the
 * sessions files and the event log share, so the same sessions give the same table from either.
 */
import type { RowTable } from '../src/model/types';
import { isIntegerItemId } from '../src/model/item-ids';

/** Rows built from the shop's item ids, and the model id → item id table when one was made. */
export interface SessionData {
  sessions: RowTable;
  /** Model id → item id (SKUs like "ABC-123"); undefined when the ids are integers used as they are. */
  itemIds?: string[];
}

/** A CSR table filled row by row, values appended to the current row; `finish` gives the result. */
export interface RowBuilder<T> {
  add(itemId: string): void;
  endRow(): void;
  finish(): T;
}

/** Appends to a typed array, doubling it as it fills, so rows of any length need no array per row. */
export function growable<A extends Uint32Array | Float32Array>(make: (length: number) => A) {
  let array = make(1024);
  let length = 0;
  return {
    push(value: number): void {
      if (length === array.length) {
        const bigger = make(array.length * 2);
        bigger.set(array);
        array = bigger;
      }
      array[length++] = value;
    },
    get length(): number {
      return length;
    },
    done: (): A => array.slice(0, length) as A,
  };
}

/** A growable Uint32Array. */
const growableIds = () => growable((length) => new Uint32Array(length));

/** A builder that maps each item id with `idOf` and, when told, drops ids it maps to 0. */
function rowBuilder<T>(idOf: (itemId: string) => number, dropZero: boolean, finish: (table: RowTable) => T): RowBuilder<T> {
  const values = growableIds();
  const offsets = growableIds();
  offsets.push(0);
  return {
    add(itemId) {
      const id = idOf(itemId);
      if (id > 0 || !dropZero) values.push(id);
    },
    endRow() {
      offsets.push(values.length);
    },
    finish: () => finish({ offsets: offsets.done(), values: values.done() }),
  };
}

/**
 * Rows of training sessions. When every item id is an integer the ids are the model's ids as they
 * stand (so results on benchmark files stay comparable); otherwise each distinct id gets a dense
 * model id from 1 in order of first appearance, and `itemIds` maps them back. Model id 0 is never
 * an item, so an id a model has not seen can map to it.
 *
 * @example
 * const rows = sessionRows();
 * for (const id of ['sku-b', 'sku-a']) rows.add(id);
 * rows.endRow();
 * rows.finish(); // { sessions: { offsets: [0, 2], values: [1, 2] }, itemIds: ['', 'sku-b', 'sku-a'] }
 */
export function sessionRows(): RowBuilder<SessionData> {
  const itemIds = [''];
  const ids = new Map<string, number>();
  let integers = true;
  const idOf = (itemId: string): number => {
    let id = ids.get(itemId);
    if (id === undefined) {
      id = itemIds.length;
      ids.set(itemId, id);
      itemIds.push(itemId);
      integers &&= isIntegerItemId(itemId);
    }
    return id;
  };
  // Whether the ids are all integers is known only at the end: the dense ids are then swapped back.
  return rowBuilder(idOf, false, (table) => {
    if (!integers) return { sessions: table, itemIds };
    const { values } = table;
    for (let i = 0; i < values.length; i++) values[i] = Number(itemIds[values[i] ?? 0]);
    return { sessions: table };
  });
}

/**
 * Maps an item id to a model id with the training data's table (0, known to no model, when absent
 * from it); without a table the ids must be integers, used as they are.
 *
 * @example
 * itemIdParser(['', 'sku-a'])('sku-a'); // 1
 * itemIdParser(['', 'sku-a'])('sku-z'); // 0
 * itemIdParser()('42'); // 42
 */
export function itemIdParser(itemIds?: readonly string[]): (itemId: string) => number {
  const known = itemIds ? new Map(itemIds.map((itemId, id) => [itemId, id])) : null;
  return (itemId) => {
    if (known) return known.get(itemId) ?? 0;
    if (!isIntegerItemId(itemId)) throw new Error(`not an item id of the training data: "${itemId}"`);
    return Number(itemId);
  };
}

/**
 * Rows mapped with a trained model's ids (see `itemIdParser`): held-back sessions, or orders.
 *
 * @param dropUnknown - leave out ids the table lacks instead of keeping them as 0 (orders: an item
 *   no session showed cannot be bought together with anything the model knows)
 * @example
 * const rows = knownIdRows(['', 'sku-a'], true);
 * rows.add('sku-a'); rows.add('sku-z'); rows.endRow();
 * rows.finish().values; // [1]
 */
export function knownIdRows(itemIds: readonly string[] | undefined, dropUnknown = false): RowBuilder<RowTable> {
  return rowBuilder(itemIdParser(itemIds), dropUnknown && itemIds !== undefined, (table) => table);
}
