/**
 * Erasure in the event log: a tombstone per erased (or objecting) visitor,
 * `tombstones/<vid>.json` in the LOG bucket. Written by the visitor's object
 * before it forgets them, so it exists before the erasure is answered; from
 * then on every reader of the log drops the visitor's records (the trainer
 * anti-joins tombstones), and the hourly compaction rewrites the days it
 * names without them (`compaction.ts`). It names only the pseudonymous id,
 * when, and which days to rewrite; it is deleted with the last partition it
 * could apply to, when the log's retention has passed.
 */

/** An erased visitor, as the log keeps them. */
export interface Tombstone {
  vid: string;
  /** Epoch ms. */
  erasedAt: number;
  /** The days (YYYY-MM-DD) the visitor's records were sent to the log on. */
  days: string[];
  /** When compaction rewrote those days without the visitor (epoch ms); absent until then. */
  appliedAt?: number;
}

/** Where tombstones are kept. */
export const TOMBSTONE_PREFIX = 'tombstones/';

/**
 * The key of a visitor's tombstone.
 * @example tombstoneKey('k1.abc') // 'tombstones/k1.abc.json'
 */
export const tombstoneKey = (vid: string) => `${TOMBSTONE_PREFIX}${vid}.json`;
