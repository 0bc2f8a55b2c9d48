/**
 * The model index aggregated in DuckDB: the same tables `buildModelIndex` builds in JavaScript
 * (popularity, recent popularity, repeat rate, age, sequential rules, next clicks, co-visits,
 * session-kNN's sessions and postings), computed where the clicks lie, so that only bounded
 * results cross into JS: per-item arrays, the top rows of each neighbour table, and the sessions
 * session-kNN keeps (`maxSessions`). DuckDB spills past its memory limit, so the log's size is
 * bounded by disk, not by the Node heap.
 *
 * Several indexes over growing prefixes of the sessions (the re-ranker's chunk indexes, then the
 * served one) share one pass over the clicks: pair counts are aggregated once per chunk of
 * sessions, and each index sums the chunks before its end.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IndexOptions } from '../src/model/model-index';
import { roundToBfloat16, ruleWeightScale, scoreTable } from '../src/model/model-index';
import type { ModelIndex, NeighbourTable, RowTable } from '../src/model/types';
import { firstRow, forEachRow } from './duckdb';
import { growable } from './item-rows';

/**
 * The table the indexes read: `clicks(session INTEGER, pos INTEGER, item INTEGER)`, sessions
 * numbered 0, 1, … in time order (every number present), positions 0, 1, … in click order, items
 * the model's ids.
 */
export const CLICKS = 'clicks';

/** A CSR table read row by row, rows in order (rows without values stay empty). */
function csrReader(numRows: number, scored: boolean) {
  const offsets = new Uint32Array(numRows + 1);
  const values = growable((length) => new Uint32Array(length));
  const scores = growable((length) => new Float32Array(length));
  let row = 0;
  const close = (upTo: number): void => {
    while (row < upTo) offsets[++row] = values.length;
  };
  return {
    add(r: number, value: number, score = 0): void {
      close(r);
      values.push(value);
      if (scored) scores.push(score);
    },
    rows(): RowTable {
      close(numRows);
      return { offsets, values: values.done() };
    },
    neighbours(): NeighbourTable {
      close(numRows);
      return scoreTable(offsets, values.done(), scores.done());
    },
  };
}

/**
 * Sessions [from, to) of a clicks table (session, pos, item), into JS, numbered from 0.
 *
 * @example
 * const recent = await readSessions(connection, CLICKS, sessionCount - 1000, sessionCount);
 */
export async function readSessions(connection: DuckDBConnection, table: string, from: number, to: number): Promise<RowTable> {
  const rows = csrReader(Math.max(0, to - from), false);
  await forEachRow(connection, `SELECT session - ${from}, item FROM ${table} WHERE session >= ${from} AND session < ${to} ORDER BY session, pos`, ([s = 0, item = 0]) =>
    rows.add(s, item),
  );
  return rows.rows();
}

/** Indexes over the sessions before each of a set of ends, aggregated in one pass. */
export interface IndexBuilder {
  /** The index over sessions [0, end); `end` must be one of the ends the builder was made for. */
  indexBefore(end: number): Promise<ModelIndex>;
  /** Drops the builder's tables. */
  drop(): Promise<void>;
}

const TABLES = ['idx_chunked', 'idx_visits', 'idx_items', 'idx_rules', 'idx_next', 'idx_covisit'];

/**
 * Prepares indexes over the sessions before each of `ends` (ascending; the last is usually every
 * session): clicks are labelled with the chunk between two ends they fall in, and every pair count
 * is aggregated per chunk, once.
 *
 * @param connection - DuckDB holding the `clicks` table (see CLICKS)
 * @param options - the index options, as `buildModelIndex` takes them
 * @param ends - session counts, ascending
 * @example
 * const builder = await prepareIndexes(connection, DEFAULT_INDEX_OPTIONS, [sessionCount]);
 * const index = await builder.indexBefore(sessionCount); // what buildModelIndex(sessions) gives
 */
export async function prepareIndexes(connection: DuckDBConnection, options: IndexOptions, ends: readonly number[]): Promise<IndexBuilder> {
  const sorted = [...new Set(ends)].sort((a, b) => a - b);
  const last = sorted[sorted.length - 1] ?? 0;
  const chunkOf = `CASE ${sorted.map((end, k) => `WHEN session < ${end} THEN ${k}`).join(' ')} END`;
  // Integer weights (see ruleWeightScale) sum exactly, so DuckDB's order of addition cannot matter.
  const scale = ruleWeightScale(options.ruleWindow);
  const ruleWeight = scale > 1 ? `${scale} // (y.pos - x.pos)` : '1.0 / (y.pos - x.pos)';
  const run = (sql: string) => connection.run(sql);
  await run(`CREATE OR REPLACE TEMP TABLE idx_chunked AS SELECT session, pos, item, ${chunkOf} AS chunk FROM ${CLICKS} WHERE session < ${last}`);
  await run(`CREATE OR REPLACE TEMP TABLE idx_visits AS SELECT session, item, any_value(chunk) AS chunk, count(*) AS clicks FROM idx_chunked GROUP BY session, item`);
  await run(
    `CREATE OR REPLACE TEMP TABLE idx_items AS SELECT item, chunk, sum(clicks) AS clicks, count(*) AS sessions, min(session) AS first FROM idx_visits GROUP BY item, chunk`,
  );
  await run(`CREATE OR REPLACE TEMP TABLE idx_rules AS
    SELECT x.item AS a, y.item AS b, x.chunk, sum(${ruleWeight}) AS w
    FROM idx_chunked x JOIN idx_chunked y ON x.session = y.session AND y.pos > x.pos AND y.pos <= x.pos + ${options.ruleWindow}
    WHERE y.item <> x.item GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE idx_next AS
    SELECT x.item AS a, y.item AS b, x.chunk, count(*) AS w
    FROM idx_chunked x JOIN idx_chunked y ON x.session = y.session AND y.pos = x.pos + 1
    WHERE y.item <> x.item GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE idx_covisit AS
    SELECT x.item AS a, y.item AS b, x.chunk, count(*) AS w
    FROM idx_visits x JOIN idx_visits y ON x.session = y.session AND x.item <> y.item GROUP BY ALL`);

  async function indexBefore(end: number): Promise<ModelIndex> {
    const k = sorted.indexOf(end);
    if (k < 0) throw new Error(`no index was prepared for the sessions before ${end}`);
    const inChunks = `chunk <= ${k}`;
    const [maxItem = 0] = await firstRow(connection, `SELECT coalesce(max(item), 0) FROM idx_items WHERE ${inChunks}`);
    const numItems = maxItem + 1;

    const popularity = new Float32Array(numItems);
    const sessionCount = new Float64Array(numItems);
    const first = new Float64Array(numItems).fill(-1);
    await forEachRow(connection, `SELECT item, sum(clicks), sum(sessions), min(first) FROM idx_items WHERE ${inChunks} GROUP BY item`, ([item = 0, clicks = 0, sessions = 0, oldest = 0]) => {
      popularity[item] = clicks;
      sessionCount[item] = sessions;
      first[item] = oldest;
    });
    const recentPopularity = new Float32Array(numItems);
    const recentFrom = Math.max(0, end - options.recentSessions);
    await forEachRow(connection, `SELECT item, count(*) FROM idx_chunked WHERE session >= ${recentFrom} AND session < ${end} GROUP BY item`, ([item = 0, clicks = 0]) => {
      recentPopularity[item] = clicks;
    });
    const repeatRate = Float32Array.from(popularity, (clicks, i) => (clicks > 0 ? (clicks - (sessionCount[i] ?? 0)) / clicks : 0));
    const age = roundToBfloat16(Float32Array.from(first, (oldest) => (oldest >= 0 ? 1 - oldest / Math.max(1, end) : 0)));

    /** The top `perItem` rows of a pair table summed over the chunks, ranked by `score` (ties: lower id first). */
    const topPairs = async (table: string, perItem: number, score: string, divisor = 1, join = ''): Promise<NeighbourTable> => {
      const rows = csrReader(numItems, true);
      await forEachRow(
        connection,
        `WITH pairs AS (SELECT a, b, sum(w) AS w FROM ${table} WHERE ${inChunks} GROUP BY a, b)
         SELECT a, b, ${score} AS s FROM pairs ${join}
         QUALIFY row_number() OVER (PARTITION BY a ORDER BY s DESC, b) <= ${perItem}
         ORDER BY a, s DESC, b`,
        ([a = 0, b = 0, s = 0]) => rows.add(a, b, s / divisor),
      );
      return rows.neighbours();
    };
    const rules = await topPairs('idx_rules', options.rulesPerItem, 'w::DOUBLE', scale);
    const next = await topPairs('idx_next', options.nextPerItem, 'w::DOUBLE');
    const counts = `(SELECT item, sum(sessions)::DOUBLE AS n FROM idx_items WHERE ${inChunks} GROUP BY item)`;
    const covisit = await topPairs(
      'idx_covisit',
      options.covisitPerItem,
      'w::DOUBLE / sqrt(ca.n * cb.n)',
      1,
      `JOIN ${counts} ca ON ca.item = pairs.a JOIN ${counts} cb ON cb.item = pairs.b`,
    );

    // Session-kNN keeps the most recent `maxSessions` sessions, numbered from 0 again.
    const from = Math.max(0, end - options.maxSessions);
    const postingRows = csrReader(numItems, false);
    const cap = Number.isFinite(options.maxPostings) ? `QUALIFY row_number() OVER (PARTITION BY item ORDER BY session DESC) <= ${options.maxPostings}` : '';
    await forEachRow(
      connection,
      `SELECT item, session - ${from} AS s FROM idx_visits WHERE session >= ${from} AND session < ${end} ${cap} ORDER BY item, session DESC`,
      ([item = 0, s = 0]) => postingRows.add(item, s),
    );
    return { numItems, sessions: await readSessions(connection, 'idx_chunked', from, end), postings: postingRows.rows(), popularity, recentPopularity, repeatRate, age, rules, next, covisit };
  }

  return {
    indexBefore,
    async drop() {
      for (const table of TABLES) await run(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}
