/**
 * Reusable buffers indexed by item or session id, so a request allocates almost nothing
 * proportional to the catalogue: the per-isolate query scratch, sparse running sums, and sets
 * that empty in O(1).
 */
import type { ModelIndex } from './types';
import { rowCount } from './rows';
import { zeroedArrays } from './zeroed';

/**
 * A per-id running sum that is all zeros between uses; `touched` lists the ids holding a sum, in
 * the order they were first added to.
 */
export interface SparseSum {
  values: Float64Array;
  touched: number[];
}

/** A sparse sum over ids [0, size). */
export function createSparseSum(size: number): SparseSum {
  return { values: new Float64Array(size), touched: [] };
}

/** Adds `amount` (positive: a zero sum means the id is not touched yet) to `id`'s sum. */
export function addToSum(sum: SparseSum, id: number, amount: number): void {
  if (sum.values[id] === 0) sum.touched.push(id);
  sum.values[id] = (sum.values[id] ?? 0) + amount;
}

/** Puts back the zeros, ready for the next use. */
export function clearSum(sum: SparseSum): void {
  for (const id of sum.touched) sum.values[id] = 0;
  sum.touched.length = 0;
}

/** A set of ids that empties in O(1): each round marks its members with a new stamp. */
export interface StampSet {
  stamps: Uint32Array;
  round: number;
}

/** An empty set over ids [0, size). */
export function createStampSet(size: number): StampSet {
  return { stamps: new Uint32Array(size), round: 1 };
}

/** Empties the set. */
export function newRound(set: StampSet): void {
  if (set.round === 0xffffffff) {
    set.stamps.fill(0);
    set.round = 0;
  }
  set.round++;
}

/** Adds `id`; false when it was already in the set. */
export function addOnce(set: StampSet, id: number): boolean {
  if (set.stamps[id] === set.round) return false;
  set.stamps[id] = set.round;
  return true;
}

/** Reusable per-isolate buffers for one query's candidate generation (session-kNN and the neighbour-row sources). */
export interface KnnScratch {
  sim: Float32Array;
  itemScore: Float32Array;
  itemVotes: Uint32Array;
  itemEpoch: Uint32Array;
  queryWeight: Float32Array;
  queryEpoch: Uint32Array;
  epoch: number;
  /** Per item, a slot in the current candidate pool or -1; every request puts back the -1s it changed. */
  poolSlot: Int32Array;
  /** Per item, a running sum for the neighbour-row sources; zero between uses, like poolSlot. */
  rowSum: SparseSum;
  /** The last item whose sessions were looked up in the sessions themselves (sknn.ts, `sessionsHolding`), kept: a decision asks for its last item's twice. */
  held?: { item: number; limit: number; sessions: Uint32Array };
}

/**
 * Allocates scratch buffers sized to an index, in one zeroed buffer whose pages cost nothing
 * until written (`zeroedArrays`): a query writes the entries of the few items and sessions it
 * touches, which epoch stamps tell apart, so most of them never are.
 */
export function createKnnScratch(index: ModelIndex): KnnScratch {
  const n = index.numItems;
  const [sums, sim, itemScore, itemVotes, itemEpoch, queryWeight, queryEpoch, poolSlot] = zeroedArrays(
    [Float64Array, n],
    [Float32Array, rowCount(index.sessions)],
    [Float32Array, n],
    [Uint32Array, n],
    [Uint32Array, n],
    [Float32Array, n],
    [Uint32Array, n],
    [Int32Array, n],
  );
  return { sim, itemScore, itemVotes, itemEpoch, queryWeight, queryEpoch, epoch: 0, poolSlot: poolSlot.fill(-1), rowSum: { values: sums, touched: [] } };
}

/**
 * Epoch stamps mark which buffer entries belong to the current query, so nothing is cleared
 * between requests. The buffers are reset only when the 32-bit counter could overflow mid-query.
 */
export function beginQuery(scratch: KnnScratch, epochsNeeded: number): void {
  if (scratch.epoch + epochsNeeded < 0xffffffff) return;
  scratch.itemEpoch.fill(0);
  scratch.queryEpoch.fill(0);
  scratch.epoch = 0;
}

/** A fresh epoch stamp, larger than every stamp in the buffers. */
export function nextEpoch(scratch: KnnScratch): number {
  scratch.epoch++;
  return scratch.epoch;
}
