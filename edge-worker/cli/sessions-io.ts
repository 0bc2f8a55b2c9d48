/**
 * Reading the CLIs' text files (sessions, orders, `prefix<TAB>target` test cases) into CSR tables,
 * with model ids for the shop's item ids, and every prefix of sessions as test cases.
 */
import { readFileSync } from 'node:fs';
import type { RowTable } from '../src/model/types';
import { isIntegerItemId } from '../src/model/item-ids';
import { rowCount, rowTableFromArrays, rowValues } from '../src/model/rows';

/** Next-item test cases: prefix r (most recent item last) should be followed by targets[r]. */
export interface TestCases {
  prefixes: RowTable;
  targets: Uint32Array;
}

/** Sessions read from a file, with the shop's item ids when they are not plain integers. */
export interface SessionData {
  sessions: RowTable;
  /** Model id → item id (SKUs like "ABC-123"); undefined when the file's ids are integers used as they are. */
  itemIds?: string[];
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
}

function tokens(text: string): string[] {
  return text.trim().split(/\s+/).filter((t) => t !== '');
}

/**
 * Reads a sessions file: one session per line, item ids separated by spaces,
 * in time order. When every id is an integer the ids are the model's ids;
 * otherwise each distinct id gets a dense model id from 1 in order of first
 * appearance, and `itemIds` maps them back.
 */
export function readSessions(path: string): SessionData {
  const rows = lines(path).map(tokens);
  // Integer ids stay as they are, so results on benchmark files remain comparable.
  if (rows.every((row) => row.every(isIntegerItemId))) {
    return { sessions: rowTableFromArrays(rows.map((row) => row.map(Number))) };
  }
  // Model id 0 is never an item, so an id the model has not seen can map to it.
  const itemIds = [''];
  const ids = new Map<string, number>();
  const idOf = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = itemIds.length;
      ids.set(token, id);
      itemIds.push(token);
    }
    return id;
  };
  return { sessions: rowTableFromArrays(rows.map((row) => row.map(idOf))), itemIds };
}

/** Maps a file's item id to a model id with the training data's table (0, known to no model, when absent from it). */
function idParser(itemIds?: readonly string[]): (token: string) => number {
  const known = itemIds ? new Map(itemIds.map((itemId, id) => [itemId, id])) : null;
  return (token) => {
    if (known) return known.get(token) ?? 0;
    if (!isIntegerItemId(token)) throw new Error(`not an item id of the training data: "${token}"`);
    return Number(token);
  };
}

/**
 * Reads an orders file: one order (basket) per line, the item ids bought
 * together separated by spaces, mapped like the training sessions' ids.
 */
export function readBaskets(path: string, itemIds?: readonly string[]): RowTable {
  const parse = idParser(itemIds);
  return rowTableFromArrays(lines(path).map((line) => tokens(line).map(parse).filter((id) => id > 0 || !itemIds)));
}

/**
 * Reads a test file: one `prefix<TAB>target` case per line, ids mapped with
 * the training data's `itemIds` (an id training never saw becomes model id 0,
 * which no model knows: a miss, as it should be).
 */
export function readTestCases(path: string, itemIds?: readonly string[]): TestCases {
  const parse = idParser(itemIds);
  const prefixes: number[][] = [];
  const targets: number[] = [];
  for (const line of lines(path)) {
    const [prefix, target] = line.split('\t');
    if (prefix === undefined || target === undefined) throw new Error(`expected prefix<TAB>target: "${line}"`);
    prefixes.push(tokens(prefix).map(parse));
    const [t] = tokens(target).map(parse);
    if (t === undefined) throw new Error(`missing target: "${line}"`);
    targets.push(t);
  }
  return { prefixes: rowTableFromArrays(prefixes), targets: Uint32Array.from(targets) };
}

/** Every prefix of every session as a test case (the augmented protocol), e.g. for a validation split. */
export function expandPrefixes(sessions: RowTable): TestCases {
  const prefixes: Uint32Array[] = [];
  const targets: number[] = [];
  for (let s = 0; s < rowCount(sessions); s++) {
    const row = rowValues(sessions, s);
    for (let p = 1; p < row.length; p++) {
      prefixes.push(row.subarray(0, p));
      targets.push(row[p] ?? 0);
    }
  }
  return { prefixes: rowTableFromArrays(prefixes), targets: Uint32Array.from(targets) };
}
