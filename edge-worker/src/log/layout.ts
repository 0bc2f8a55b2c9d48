/**
 * Where the event log keeps things in its bucket, in one place for the
 * Worker that writes it (`sink.ts`, `compaction.ts`) and the trainer that
 * reads it (`cli/log-location.ts`): a day's records under
 * `events/dt=YYYY-MM-DD/`, a layout DuckDB and other engines read as a
 * table partitioned by `dt`, and one tombstone per erased visitor under
 * `tombstones/` (`tombstone.ts`).
 */

/** Every day's folder is under this. */
export const EVENTS_PREFIX = 'events/';

/**
 * Where a day's objects are.
 * @example dayPrefix('2026-11-30') // 'events/dt=2026-11-30/'
 */
export const dayPrefix = (day: string) => `${EVENTS_PREFIX}dt=${day}/`;

/** A log object's key, with its day: `events/dt=2026-11-30/<name>.ndjson`. */
export const EVENT_KEY = /^events\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+\.ndjson$/;

/** A day's folder as R2 lists it with a delimiter, with its day. */
export const DAY_FOLDER = /^events\/dt=(\d{4}-\d{2}-\d{2})\/$/;

/**
 * The UTC day of an epoch-ms time, as the partitions name it.
 * @example dayOf(Date.parse('2026-11-30T23:59:59Z')) // '2026-11-30'
 */
export const dayOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
