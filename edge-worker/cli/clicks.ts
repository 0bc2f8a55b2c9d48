/**
 * Training clicks held in DuckDB rather than in JavaScript: the `clicks` table the SQL index reads
 * (see index-sql.ts), loaded from a sessions file, from rows already in JS, or from sessionized
 * log events, with the one item id rule the JS readers follow (`sessionRows`, `knownIdRows`), and
 * bounded slices of it read back into CSR tables.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rowCount, rowValues } from '../src/model/rows';
import type { RowTable } from '../src/model/types';
import { type Engine, type EngineOptions, firstRow, openEngine } from './duckdb';
import { CLICKS, readSessions } from './index-sql';
import { sqlString } from './log-location';

/** Clicks in DuckDB, and what JS needs to know of them. */
export interface ClickStore {
  engine: Engine;
  /** Sessions in `clicks`, numbered 0 … sessions - 1 in time order. */
  sessions: number;
  clicks: number;
  /** Model id → item id, when the item ids are not all integers. */
  itemIds?: string[];
}

/**
 * The table every loader fills first: `raw_clicks(session INTEGER, pos INTEGER, item_id VARCHAR)`,
 * the shop's item ids before they are mapped to model ids.
 */
export const RAW_CLICKS = 'raw_clicks';

/** The integer item id rule of `isIntegerItemId`, in SQL. */
const INTEGER_ID = `(regexp_full_match(item_id, '0|[1-9][0-9]{0,9}') AND TRY_CAST(item_id AS BIGINT) < 2147483648)`;

/**
 * Maps raw_clicks' item ids to model ids into `clicks`, as `sessionRows` maps them (integers as
 * they are, otherwise dense ids from 1 in order of first appearance), or with a trained model's
 * table (`knownIdRows`: an id it lacks → 0).
 */
async function mapItemIds(connection: DuckDBConnection, known?: readonly string[]): Promise<string[] | undefined> {
  if (known === undefined) {
    const [integers = 1] = await firstRow(connection, `SELECT coalesce(bool_and(${INTEGER_ID}), true)::INTEGER FROM ${RAW_CLICKS}`);
    if (integers) {
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${CLICKS} AS SELECT session, pos, item_id::INTEGER AS item FROM ${RAW_CLICKS}`);
      return undefined;
    }
    await connection.run(`CREATE OR REPLACE TEMP TABLE item_map AS
      SELECT item_id, row_number() OVER (ORDER BY min(session::BIGINT * 4294967296 + pos))::INTEGER AS item FROM ${RAW_CLICKS} GROUP BY item_id`);
  } else {
    await connection.run('CREATE OR REPLACE TEMP TABLE item_map (item_id VARCHAR, item INTEGER)');
    const appender = await connection.createAppender('item_map');
    known.forEach((itemId, id) => {
      appender.appendVarchar(itemId);
      appender.appendInteger(id);
      appender.endRow();
    });
    appender.closeSync();
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${CLICKS} AS
    SELECT session, pos, coalesce(m.item, 0) AS item FROM ${RAW_CLICKS} LEFT JOIN item_map m USING (item_id)`);
  if (known !== undefined) return [...known];
  const itemIds = [''];
  const result = await connection.runAndReadAll('SELECT item_id FROM item_map ORDER BY item');
  for (const [itemId] of result.getRowsJS()) itemIds.push(String(itemId));
  return itemIds;
}

/** Counts the store's sessions and clicks, once `clicks` is filled. */
async function storeOf(engine: Engine, itemIds: string[] | undefined): Promise<ClickStore> {
  const [sessions = 0, clicks = 0] = await firstRow(engine.connection, `SELECT coalesce(max(session) + 1, 0)::INTEGER, count(*)::BIGINT FROM ${CLICKS}`);
  return { engine, sessions, clicks, ...(itemIds ? { itemIds } : {}) };
}

/**
 * Finishes a store whose loader filled raw_clicks: item ids mapped, sessions and clicks counted.
 *
 * @param known - a trained model's model id → item id table to map with, instead of a new one
 */
export async function finishStore(engine: Engine, known?: readonly string[]): Promise<ClickStore> {
  const itemIds = await mapItemIds(engine.connection, known);
  await engine.connection.run(`DROP TABLE IF EXISTS ${RAW_CLICKS}`);
  return storeOf(engine, itemIds);
}

/**
 * Loads a sessions file (one session per line, item ids separated by white space, in time order)
 * into DuckDB as `readSessions` reads it into JS: the same sessions, the same model ids.
 *
 * @example
 * const store = await loadSessionsFile('train_sessions.txt', { memoryLimit: '1GB' });
 * try { … prepareIndexes(store.engine.connection, options, [store.sessions]) … } finally { store.engine.close(); }
 */
export async function loadSessionsFile(path: string, options: EngineOptions = {}): Promise<ClickStore> {
  const engine = await openEngine(options);
  try {
    const { connection } = engine;
    // A delimiter no sessions file holds, so each line is one column, read in file order.
    await connection.run(`CREATE OR REPLACE TEMP TABLE raw_lines AS
      SELECT line FROM read_csv(${sqlString(path)}, columns = {'line': 'VARCHAR'}, header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false)`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${RAW_CLICKS} AS
      WITH lines AS (SELECT rowid AS line_no, regexp_replace(coalesce(line, ''), '^\\s+|\\s+$', '', 'g') AS text FROM raw_lines),
      numbered AS (SELECT (row_number() OVER (ORDER BY line_no) - 1)::INTEGER AS session, string_split_regex(text, '\\s+') AS tokens FROM lines WHERE text <> ''),
      positions AS (SELECT session, tokens, unnest(range(len(tokens))) AS i FROM numbered)
      SELECT session, i::INTEGER AS pos, tokens[i + 1] AS item_id FROM positions`);
    await connection.run('DROP TABLE raw_lines');
    return await finishStore(engine);
  } catch (err) {
    engine.close();
    throw err;
  }
}

/**
 * Loads sessions already in JS (model ids) into DuckDB: for tests, and for callers whose sessions
 * are small enough to hold.
 */
export async function loadSessionRows(sessions: RowTable, options: EngineOptions = {}): Promise<ClickStore> {
  const engine = await openEngine(options);
  try {
    const { connection } = engine;
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${CLICKS} (session INTEGER, pos INTEGER, item INTEGER)`);
    const appender = await connection.createAppender(CLICKS);
    for (let s = 0; s < rowCount(sessions); s++) {
      rowValues(sessions, s).forEach((item, pos) => {
        appender.appendInteger(s);
        appender.appendInteger(pos);
        appender.appendInteger(item);
        appender.endRow();
      });
    }
    appender.closeSync();
    return await storeOf(engine, undefined);
  } catch (err) {
    engine.close();
    throw err;
  }
}

/** Sessions [from, to) of the store, into JS, numbered from 0. */
export async function readSessionRows(store: ClickStore, from: number, to: number): Promise<RowTable> {
  return readSessions(store.engine.connection, CLICKS, from, to);
}

/**
 * Keeps only the store's first `count` sessions (the rest held back for validation or a quality
 * gate, read first with `readSessionRows`).
 */
export async function keepFirstSessions(store: ClickStore, count: number): Promise<ClickStore> {
  await store.engine.connection.run(`DELETE FROM ${CLICKS} WHERE session >= ${count}`);
  return storeOf(store.engine, store.itemIds);
}
