import { readFileSync } from 'node:fs';
import type { RowTable } from '../src/model/types';
import { rowTableFromArrays } from '../src/model/model-index';

/** Next-item test cases: prefix r (most recent item last) should be followed by targets[r]. */
export interface TestCases {
  prefixes: RowTable;
  targets: Uint32Array;
}

function parseIds(text: string): number[] {
  const ids: number[] = [];
  for (const token of text.trim().split(' ')) {
    if (token === '') continue;
    const id = Number(token);
    if (!Number.isInteger(id) || id < 0) throw new Error(`not an item id: "${token}"`);
    ids.push(id);
  }
  return ids;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
}

/** Reads a sessions file: one session per line, item ids separated by spaces, in time order. */
export function readSessions(path: string): RowTable {
  return rowTableFromArrays(lines(path).map(parseIds));
}

/** Reads a test file: one `prefix<TAB>target` case per line. */
export function readTestCases(path: string): TestCases {
  const prefixes: number[][] = [];
  const targets: number[] = [];
  for (const line of lines(path)) {
    const [prefix, target] = line.split('\t');
    if (prefix === undefined || target === undefined) throw new Error(`expected prefix<TAB>target: "${line}"`);
    prefixes.push(parseIds(prefix));
    const [t] = parseIds(target);
    if (t === undefined) throw new Error(`missing target: "${line}"`);
    targets.push(t);
  }
  return { prefixes: rowTableFromArrays(prefixes), targets: Uint32Array.from(targets) };
}

/** Every prefix of every session as a test case (the augmented protocol), e.g. for a validation split. */
export function expandPrefixes(sessions: RowTable): TestCases {
  const prefixes: Uint32Array[] = [];
  const targets: number[] = [];
  for (let s = 0; s + 1 < sessions.offsets.length; s++) {
    const row = sessions.values.subarray(sessions.offsets[s] ?? 0, sessions.offsets[s + 1] ?? 0);
    for (let p = 1; p < row.length; p++) {
      prefixes.push(row.subarray(0, p));
      targets.push(row[p] ?? 0);
    }
  }
  return { prefixes: rowTableFromArrays(prefixes), targets: Uint32Array.from(targets) };
}
