/**
 * Reading the CLIs' text files (sessions, orders, `prefix<TAB>target` test cases) into CSR tables,
 * with model ids for the shop's item ids, and every prefix of sessions as test cases.
 */
import { readFileSync } from 'node:fs';
import type { RowTable } from '../src/model/types';
import { rowCount, rowTableFromArrays, rowValues } from '../src/model/rows';
import { type RowBuilder, type SessionData, itemIdParser, knownIdRows, sessionRows } from './item-rows';

/** Next-item test cases: prefix r (most recent item last) should be followed by targets[r]. */
export interface TestCases {
  prefixes: RowTable;
  targets: Uint32Array;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
}

function tokens(text: string): string[] {
  return text.trim().split(/\s+/).filter((t) => t !== '');
}

/** Each line of `path` a row, its ids separated by spaces. */
function readRows<T>(path: string, rows: RowBuilder<T>): T {
  for (const line of lines(path)) {
    for (const token of tokens(line)) rows.add(token);
    rows.endRow();
  }
  return rows.finish();
}

/**
 * Reads a sessions file: one session per line, item ids separated by spaces,
 * in time order, mapped to model ids as `sessionRows` says (integers as they
 * are, otherwise dense ids with an `itemIds` table).
 */
export function readSessions(path: string): SessionData {
  return readRows(path, sessionRows());
}

/**
 * Reads an orders file: one order (basket) per line, the item ids bought
 * together separated by spaces, mapped like the training sessions' ids.
 */
export function readBaskets(path: string, itemIds?: readonly string[]): RowTable {
  return readRows(path, knownIdRows(itemIds, true));
}

/**
 * Reads a test file: one `prefix<TAB>target` case per line, ids mapped with
 * the training data's `itemIds` (an id training never saw becomes model id 0,
 * which no model knows: a miss, as it should be).
 */
export function readTestCases(path: string, itemIds?: readonly string[]): TestCases {
  const parse = itemIdParser(itemIds);
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
