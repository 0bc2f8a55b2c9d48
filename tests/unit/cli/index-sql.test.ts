/**
 * The model index aggregated in DuckDB (edge-worker/cli/index-sql.ts) against `buildModelIndex` in
 * JS, on real Diginetica sessions: every table the same, read from the sessions file and for the
 * re-ranker's growing prefixes out of one pass: the same items in the same order, the same
 * bfloat16 scores, bit for bit. (Sums are exact on both sides: counts are integers, and rule
 * weights are integer units of 1/lcm(1..window), see `ruleWeightScale`, so the order DuckDB adds
 * them in cannot break a tie differently.)
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickStore, loadSessionsFile, readSessionRows } from '../../../edge-worker/cli/clicks';
import { prepareIndexes } from '../../../edge-worker/cli/index-sql';
import { readSessions } from '../../../edge-worker/cli/sessions-io';
import { DEFAULT_INDEX_OPTIONS, type IndexOptions, buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { rowCount, rowValues, sliceRows } from '../../../edge-worker/src/model/rows';
import type { ModelIndex, RowTable } from '../../../edge-worker/src/model/types';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const trainFile = resolve(repoRoot, '../shared/data/sessions/diginetica/train_sessions.txt');
const present = existsSync(trainFile);
if (!present) console.warn(`skipping the DuckDB index test: ${trainFile} not found (../shared/data is absent)`);

/** How many of the file's first sessions are indexed: a few thousand, enough for every table to have ties and caps. */
const SESSIONS = 4000;
/** Recent popularity and session-kNN's sessions cut inside the slice, so both cuts are exercised. */
const OPTIONS: IndexOptions = { ...DEFAULT_INDEX_OPTIONS, recentSessions: 1500, maxSessions: 2500, maxPostings: 50 };
const ENDS = [1000, 2500, SESSIONS];

const list = (a: ArrayLike<number>) => Array.from(a);

/** Every table of two indexes equal. */
function expectSameIndex(js: ModelIndex, sql: ModelIndex): void {
  expect(sql.numItems).toBe(js.numItems);
  for (const key of ['popularity', 'recentPopularity', 'repeatRate', 'age'] as const) expect(list(sql[key]), key).toEqual(list(js[key]));
  for (const key of ['sessions', 'postings'] as const) {
    expect(list(sql[key].offsets), `${key} offsets`).toEqual(list(js[key].offsets));
    expect(list(sql[key].values), `${key} values`).toEqual(list(js[key].values));
  }
  for (const key of ['rules', 'next', 'covisit'] as const) {
    expect(list(sql[key].offsets), `${key} offsets`).toEqual(list(js[key].offsets));
    expect(list(sql[key].items), `${key} items`).toEqual(list(js[key].items));
    expect(list(sql[key].scoreCodes), `${key} scores`).toEqual(list(js[key].scoreCodes));
    expect(list(sql[key].scoreLevels), `${key} score levels`).toEqual(list(js[key].scoreLevels));
  }
}

describe.skipIf(!present)('the model index aggregated in DuckDB, on Diginetica sessions', () => {
  let store: ClickStore;
  let sessions: RowTable;

  beforeAll(async () => {
    // The file's first sessions, through both readers: JS's and DuckDB's.
    sessions = sliceRows(readSessions(trainFile).sessions, 0, SESSIONS);
    store = await loadSessionsFile(trainFile, { memoryLimit: '512MB', threads: 1 });
    await store.engine.connection.run(`DELETE FROM clicks WHERE session >= ${SESSIONS}`);
  }, 60_000);
  afterAll(() => store?.engine.close());

  it('reads the sessions file as readSessions does', async () => {
    const read = await readSessionRows(store, 0, SESSIONS);
    expect(list(read.offsets)).toEqual(list(sessions.offsets));
    expect(list(read.values)).toEqual(list(sessions.values));
  });

  it('builds, for each prefix of sessions from one pass, the index buildModelIndex builds', async () => {
    const builder = await prepareIndexes(store.engine.connection, OPTIONS, ENDS);
    for (const end of ENDS) {
      const sql = await builder.indexBefore(end);
      expect(rowCount(sql.sessions)).toBe(Math.min(end, OPTIONS.maxSessions));
      expectSameIndex(buildModelIndex(sliceRows(sessions, 0, end), OPTIONS), sql);
    }
    await builder.drop();
  }, 120_000);

  it('keeps every session for session-kNN when maxSessions is unbounded', async () => {
    const builder = await prepareIndexes(store.engine.connection, DEFAULT_INDEX_OPTIONS, [SESSIONS]);
    const sql = await builder.indexBefore(SESSIONS);
    expect(list(sql.sessions.offsets)).toEqual(list(sessions.offsets));
    expect(list(rowValues(sql.postings, 5))).toEqual(list(rowValues(buildModelIndex(sessions).postings, 5)));
    await builder.drop();
  }, 60_000);
});
