/**
 * Training data from the event log, read by DuckDB where the files lie: repeats dropped by event
 * id, erased visitors left out, days outside retention or the asked range never read, product
 * views sessionized in time order, and purchases as baskets. The sessions stay in DuckDB as the
 * clicks table training aggregates (`openLog`), or reach JS as the same CSR tables the sessions
 * files give (`readLog`, same id mapping), so a log and the equivalent sessions file train the
 * same model.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { dayOf } from '../src/log/layout';
import type { RowTable } from '../src/model/types';
import { type ClickStore, RAW_CLICKS, finishStore, readSessionRows } from './clicks';
import { type EngineOptions, openEngine } from './duckdb';
import { type RowBuilder, knownIdRows } from './item-rows';
import { type EventFile, listLog, sqlString } from './log-location';

/** Days a partition is kept (the Worker's LOG_RETENTION_DAYS when it does not say). */
export const DEFAULT_RETENTION_DAYS = 180;

/** What to read of a log. */
export interface ReadLogOptions {
  /** First day read, `YYYY-MM-DD` (inclusive). */
  from?: string;
  /** Day reading stops before, `YYYY-MM-DD` (exclusive): `[from, to)` cuts held-back splits. */
  to?: string;
  /** Partitions older than this many days before `now` are not read; default 180. */
  retentionDays?: number;
  /** Epoch ms that retention counts back from; default the current time (tests pass their own). */
  now?: number;
  /**
   * A trained model's model id → item id table: ids are mapped with it (one it lacks → 0, as for
   * held-back test cases) instead of making a new one.
   */
  itemIds?: readonly string[];
  /** DuckDB's memory cap (past it, DuckDB spills to a temporary folder; default 2GB), threads (default 2) and spill folder. */
  engine?: EngineOptions;
}

/** What a log gives training. */
export interface LogData {
  /** Each session's product views in time order, sessions in order of their first event. */
  sessions: RowTable;
  /** Model id → item id, when the item ids are not all integers (as `readSessions` makes it). */
  itemIds?: string[];
  /** One row per purchase: the items bought together. */
  baskets: RowTable;
  /** The `dt` partitions read, in order. */
  days: string[];
  /** Distinct events read (after repeats and erased visitors are dropped). */
  events: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function checkDay(day: string | undefined, name: string): void {
  if (day !== undefined && !DAY.test(day)) throw new Error(`${name} must be a day, YYYY-MM-DD: "${day}"`);
}

/** A day's object, and whether its events count or it is read only to drop their repeats. */
type ReadFile = EventFile & { counted: boolean };

const dayBefore = (day: string) => dayOf(Date.parse(day) - DAY_MS);

/**
 * The partitions `options` lets a reader see, and the day before `from`: a record redelivered
 * after midnight has its first copy there, and belongs to that day's split, not to this one. A
 * repeat comes within minutes (retries wait 60 s, 5 at most), so one day back is enough.
 */
function keptFiles(events: EventFile[], options: ReadLogOptions): ReadFile[] {
  const { from, to, retentionDays = DEFAULT_RETENTION_DAYS, now = Date.now() } = options;
  checkDay(from, 'from');
  checkDay(to, 'to');
  const oldest = dayOf(now - retentionDays * DAY_MS);
  const first = from === undefined || from < oldest ? oldest : from;
  const lookback = from === undefined || from <= oldest ? first : dayBefore(from);
  return events
    .filter(({ day }) => day >= lookback && (to === undefined || day < to))
    .map((file) => ({ ...file, counted: file.day >= first }));
}

const sqlList = (items: readonly string[]) => `[${items.map(sqlString).join(', ')}]`;

/** Only the fields training reads; a record's other fields are never parsed into columns. */
const RECORD_COLUMNS = `{id: 'VARCHAR', vid: 'VARCHAR', sid: 'VARCHAR', type: 'VARCHAR', ts: 'BIGINT', item: 'VARCHAR', items: 'VARCHAR[]'}`;

/**
 * Loads the `records` table: each event once (the queue delivers at least once, so one record can
 * be in several objects, even on different days: the first day's copy is the one that counts),
 * none of an erased visitor's.
 */
async function loadRecords(connection: DuckDBConnection, files: ReadFile[], tombstones: string[]): Promise<void> {
  if (!files.some((f) => f.counted)) {
    await connection.run('CREATE TEMP TABLE records (id VARCHAR, vid VARCHAR, sid VARCHAR, type VARCHAR, ts BIGINT, item VARCHAR, items VARCHAR[])');
    return;
  }
  const erased = tombstones.length ? `SELECT DISTINCT vid FROM read_json(${sqlList(tombstones)}, columns = {vid: 'VARCHAR'})` : 'SELECT NULL::VARCHAR AS vid WHERE false';
  const days = files.map(({ file, day, counted }) => `(${sqlString(file)}, ${sqlString(day)}, ${counted})`).join(', ');
  await connection.run(`
    CREATE TEMP TABLE records AS
    WITH days(file, day, counted) AS (VALUES ${days}),
    copies AS (
      SELECT r.*, days.day, days.counted
      FROM read_ndjson(${sqlList(files.map((f) => f.file))}, columns = ${RECORD_COLUMNS}, filename = true) r
      JOIN days ON days.file = r.filename
      WHERE r.id IS NOT NULL AND r.vid IS NOT NULL AND r.sid IS NOT NULL AND r.ts IS NOT NULL
    ),
    once AS (SELECT * FROM copies QUALIFY row_number() OVER (PARTITION BY id ORDER BY day, filename) = 1)
    SELECT id, vid, sid, type, ts, item, items FROM once ANTI JOIN (${erased}) erased USING (vid) WHERE counted`);
}

/**
 * Product views by session. A session is a (vid, sid) pair; its views ordered by (ts, id), the
 * sessions by their first event of any type (then vid, sid), because training learns from later
 * sessions with indexes of only the earlier ones. Sessions with fewer than 2 views are left out:
 * they hold no (prefix, next item) pair to learn or test, and the benchmark files the training
 * defaults were tuned on leave them out too.
 */
const SESSION_VIEWS = `
  WITH views AS (SELECT vid, sid, ts, id, item FROM records WHERE type = 'product_view' AND item IS NOT NULL),
  started AS (SELECT vid, sid, min(ts) AS first_ts FROM records GROUP BY vid, sid),
  kept AS (
    SELECT vid, sid, (row_number() OVER (ORDER BY first_ts, vid, sid) - 1)::INTEGER AS session
    FROM views JOIN started USING (vid, sid)
    GROUP BY vid, sid, first_ts HAVING count(*) >= 2
  )
  SELECT session, (row_number() OVER (PARTITION BY session ORDER BY ts, id) - 1)::INTEGER AS pos, item AS item_id FROM views JOIN kept USING (vid, sid)`;

/** Each purchase's items, in the order the shopper's events came. */
const BASKETS = `SELECT items FROM records WHERE type = 'purchase' AND items IS NOT NULL ORDER BY ts, id`;

/** Streams each purchase's items into `rows`, one row per purchase. */
async function streamBaskets(connection: DuckDBConnection, rows: RowBuilder<RowTable>): Promise<RowTable> {
  const result = await connection.stream(BASKETS);
  for await (const chunk of result.yieldRowsJs()) {
    for (const [items] of chunk) {
      for (const item of items as Array<string | null>) if (item !== null) rows.add(item);
      rows.endRow();
    }
  }
  return rows.finish();
}

/** A log's training data, its sessions still in DuckDB. */
export interface LogClicks {
  /** Product views by session, in DuckDB (close `store.engine` when done). */
  store: ClickStore;
  /** One row per purchase: the items bought together. */
  baskets: RowTable;
  /** The `dt` partitions read, in order. */
  days: string[];
  /** Distinct events read (after repeats and erased visitors are dropped). */
  events: number;
}

/**
 * Opens an event log for training: its sessions of product views sessionized into DuckDB's
 * clicks table (mapped to model ids as `readSessions` maps a sessions file), its purchases as
 * baskets in JS. Nothing but the baskets and the id table crosses into JS.
 *
 * @param location - as for `readLog`
 * @example
 * const log = await openLog('backup/rapport-event-log', { engine: { memoryLimit: '1GB' } });
 * try { await trainFromClicks(log.store, 'event-log', DEFAULT_TRAIN_OPTIONS, { baskets: log.baskets }); } finally { log.store.engine.close(); }
 */
export async function openLog(location: string, options: ReadLogOptions = {}): Promise<LogClicks> {
  const engine = await openEngine(options.engine);
  try {
    const { connection } = engine;
    const log = await listLog(location, connection);
    const files = keptFiles(log.events, options);
    const days = [...new Set(files.filter((f) => f.counted).map((f) => f.day))];
    await loadRecords(connection, files, log.tombstones);
    const [[events]] = (await connection.runAndReadAll('SELECT count(*)::INTEGER FROM records')).getRowsJS() as [[number]];
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${RAW_CLICKS} AS ${SESSION_VIEWS}`);
    const store = await finishStore(engine, options.itemIds);
    const baskets = await streamBaskets(connection, knownIdRows(store.itemIds, true));
    await connection.run('DROP TABLE records');
    return { store, baskets, days, events };
  } catch (err) {
    engine.close();
    throw err;
  }
}

/**
 * Reads an event log for training into JS: sessions of product views and baskets of purchases,
 * mapped to model ids as `readSessions` and `readBaskets` map a sessions file and an orders file.
 *
 * @param location - `r2://<bucket>` (credentials from R2_ACCOUNT_ID, R2_ACCESS_KEY_ID and
 *   R2_SECRET_ACCESS_KEY), a wrangler state directory (`.wrangler/state`, or a `--persist-to`
 *   directory), or a directory holding a copy of the bucket (`events/`, `tombstones/`)
 * @param options - `[from, to)` days, retention (default 180 days before now), a trained model's
 *   `itemIds` to map with, DuckDB's memory limit (default 2GB)
 * @example
 * const { sessions, itemIds, baskets, days, events } = await readLog('.wrangler/state', { to: '2026-11-24' });
 * const artifact = trainModel(sessions, 'event-log', DEFAULT_TRAIN_OPTIONS, { itemIds, baskets });
 * const heldBack = await readLog('.wrangler/state', { from: '2026-11-24', itemIds });
 */
export async function readLog(location: string, options: ReadLogOptions = {}): Promise<LogData> {
  const { store, baskets, days, events } = await openLog(location, options);
  try {
    const sessions = await readSessionRows(store, 0, store.sessions);
    return { sessions, ...(store.itemIds ? { itemIds: store.itemIds } : {}), baskets, days, events };
  } finally {
    store.engine.close();
  }
}

/**
 * The days (`dt` partitions) a log holds, in order, whatever their age.
 *
 * @example
 * await logDays('backup/rapport-event-log'); // ['2026-11-28', '2026-11-29', '2026-11-30']
 */
export async function logDays(location: string): Promise<string[]> {
  const engine = await openEngine({ threads: 1 });
  try {
    const { events } = await listLog(location, engine.connection);
    return [...new Set(events.map((f) => f.day))];
  } finally {
    engine.close();
  }
}
