/**
 * Where the event log's objects are, as files DuckDB can read: a wrangler local state directory
 * (`wrangler dev --persist-to <dir>`, or `.wrangler/state`), a plain copy of the bucket (what
 * `rclone sync` or `aws s3 sync` makes), or the bucket itself as `r2://<bucket>`. The layout is
 * the one the Worker writes (`edge-worker/src/log/layout.ts`): `events/dt=YYYY-MM-DD/<name>.ndjson`
 * and `tombstones/<vid>.json`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_KEY } from '../src/log/layout';
import { TOMBSTONE_PREFIX } from '../src/log/tombstone';

/** The R2 bucket wrangler.toml binds as LOG. */
export const LOG_BUCKET = 'rapport-event-log';

/** One day's object of events, as a path DuckDB reads. */
export interface EventFile {
  file: string;
  day: string;
}

/** Every object of the log: events by day, and the erased visitors' tombstones. */
export interface LogFiles {
  events: EventFile[];
  tombstones: string[];
}

const TOMBSTONE_KEY = new RegExp(`^${TOMBSTONE_PREFIX}[^/]+\\.json$`);

/** Sorts `[key, file]` pairs into the log's event files and tombstones; other keys are not the log's. */
function filesOf(entries: Iterable<readonly [key: string, file: string]>): LogFiles {
  const log: LogFiles = { events: [], tombstones: [] };
  for (const [key, file] of entries) {
    const day = EVENT_KEY.exec(key)?.[1];
    if (day) log.events.push({ file, day });
    else if (TOMBSTONE_KEY.test(key)) log.tombstones.push(file);
  }
  log.events.sort((a, b) => a.day.localeCompare(b.day) || a.file.localeCompare(b.file));
  return log;
}

/** The files of a plain copy of the bucket, by the keys their paths spell. */
function plainTree(dir: string): LogFiles {
  const list = (sub: string) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub), { recursive: true, encoding: 'utf8' }) : []);
  const keys = [...list('events').map((path) => `events/${path}`), ...list('tombstones').map((path) => `tombstones/${path}`)];
  return filesOf(keys.map((key) => [key.replaceAll('\\', '/'), join(dir, key)] as const));
}

/**
 * The bucket's objects in wrangler's local state: keys live in one SQLite database per bucket
 * (named by a hash, not the bucket), bodies in `<bucket>/blobs/<blob id>` as the exact bytes put.
 * The database is the one whose objects' blobs are in this bucket's folder.
 */
async function wranglerState(r2: string, bucket: string): Promise<LogFiles> {
  // Loaded only here: node:sqlite needs Node 22, and warns that it is experimental.
  const { DatabaseSync } = await import('node:sqlite');
  const blobs = join(r2, bucket, 'blobs');
  const dbDir = join(r2, 'miniflare-R2BucketObject');
  if (!existsSync(blobs) || !existsSync(dbDir)) return { events: [], tombstones: [] };
  for (const name of readdirSync(dbDir).filter((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite')) {
    const db = new DatabaseSync(join(dbDir, name), { readOnly: true });
    try {
      const rows = db.prepare(`SELECT key, blob_id FROM _mf_objects WHERE key LIKE 'events/%' OR key LIKE 'tombstones/%'`).all() as Array<{ key: string; blob_id: string | null }>;
      const first = rows.find((row) => row.blob_id !== null);
      if (!first?.blob_id || !existsSync(join(blobs, first.blob_id))) continue;
      // The Worker writes each object with one put; a multipart upload's parts would split lines.
      const multipart = rows.find((row) => row.blob_id === null);
      if (multipart) throw new Error(`${multipart.key} in ${dbDir}/${name} is a multipart upload, which the log reader does not read`);
      return filesOf(rows.map((row) => [row.key, join(blobs, row.blob_id ?? '')] as const));
    } finally {
      db.close();
    }
  }
  return { events: [], tombstones: [] };
}

/** Runs `sql`, or explains how to get DuckDB's httpfs extension when it is what failed. */
async function needingHttpfs(connection: DuckDBConnection, sql: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (err) {
    const message = (err as Error).message;
    if (!/httpfs/.test(message)) throw err;
    throw new Error(
      `reading r2:// needs DuckDB's httpfs extension, which is not bundled and could not be installed here:\n  ${message.split('\n')[0]}\n` +
        'run once with network access (it is cached in ~/.duckdb/extensions): npm run train -- --log r2://<bucket> …, or in DuckDB: INSTALL httpfs',
    );
  }
}

/** SQL string literal. */
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The bucket's objects through DuckDB's httpfs, with the R2 credentials the environment holds. */
async function r2Bucket(bucket: string, connection: DuckDBConnection): Promise<LogFiles> {
  const env = ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'] as const;
  const missing = env.filter((name) => !process.env[name]);
  if (missing.length) throw new Error(`reading r2://${bucket} needs ${missing.join(', ')} in the environment (an R2 API token with read access)`);
  const [account, key, secret] = env.map((name) => sqlString(process.env[name] ?? ''));
  await needingHttpfs(connection, 'INSTALL httpfs; LOAD httpfs');
  await connection.run(`CREATE OR REPLACE TEMP SECRET rapport_log (TYPE r2, KEY_ID ${key}, SECRET ${secret}, ACCOUNT_ID ${account})`);
  const root = `r2://${bucket}/`;
  const result = await connection.runAndReadAll(
    `SELECT file FROM glob(${sqlString(`${root}events/*/*.ndjson`)}) UNION ALL SELECT file FROM glob(${sqlString(`${root}tombstones/*.json`)})`,
  );
  const files = result.getRowsJS().map(([file]) => String(file));
  return filesOf(files.map((file) => [file.slice(root.length), file] as const));
}

/**
 * The log's files at `location`: `r2://<bucket>`, a wrangler state directory (one holding `v3/r2`,
 * as `--persist-to` makes), or a directory holding `events/` and `tombstones/`.
 *
 * @param connection - DuckDB, which reads `r2://` (its httpfs extension and a secret are set up on it)
 * @param bucket - in wrangler state, the bucket to read; default rapport-event-log
 * @example
 * const { events, tombstones } = await listLog('.wrangler/state', connection);
 * // events: [{ file: '.wrangler/state/v3/r2/rapport-event-log/blobs/9f…', day: '2026-11-30' }, …]
 */
export async function listLog(location: string, connection: DuckDBConnection, bucket = LOG_BUCKET): Promise<LogFiles> {
  const remote = /^r2:\/\/([^/]+)\/?$/.exec(location);
  if (remote) return r2Bucket(remote[1] ?? '', connection);
  if (existsSync(join(location, 'v3', 'r2'))) return wranglerState(join(location, 'v3', 'r2'), bucket);
  if (existsSync(join(location, 'events')) || existsSync(join(location, 'tombstones'))) return plainTree(location);
  throw new Error(`${location}: not an event log (expected r2://<bucket>, a wrangler state directory with v3/r2, or a directory with events/ and tombstones/)`);
}
